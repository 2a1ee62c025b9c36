import { useEffect } from 'react';
import { useHardware } from '../stores/hardware';
import { useWizard } from '../stores/wizard';
import { HardwareCard } from '../components/hardware/HardwareCard';
import { CpuOnlyBanner } from '../components/hardware/CpuOnlyBanner';
import { NoticeList } from '../components/hardware/NoticeList';
import { GpuPicker } from '../components/hardware/GpuPicker';

export function HardwareStep() {
  const { hardware, loading, error, load, selectGpu, selectGpus } = useHardware();
  const next = useWizard((s) => s.next);

  useEffect(() => {
    if (!hardware) void load();
    // Once on mount; later changes arrive as 'hardware.changed' events.
  }, []);

  const cpuOnly = hardware?.notices.find((n) => n.code === 'CPU_ONLY');
  return (
    <>
      {error && (
        <div className="banner error" role="alert" data-testid="hardware-error">
          {error.message} {error.hint}
        </div>
      )}
      {!hardware && !error && <p className="muted">Looking at your GPU, CPU, memory and disk…</p>}
      {cpuOnly && <CpuOnlyBanner notice={cpuOnly} />}
      {hardware && <HardwareCard hardware={hardware} />}
      {hardware && <GpuPicker hardware={hardware} onSelect={(i) => void selectGpu(i)} onSelectSeveral={(list) => void selectGpus(list)} />}
      {hardware && <NoticeList notices={hardware.notices} />}
      <div className="actions">
        <button type="button" data-testid="hardware-refresh" disabled={loading} onClick={() => void load(true)}>
          {loading ? 'Detecting…' : 'Detect again'}
        </button>
        <button type="button" className="primary" data-testid="wizard-next" disabled={!hardware} onClick={next}>
          Next: choose a model
        </button>
      </div>
    </>
  );
}
