import type { Hardware } from '../../../../electron/shared/types/hardware';
import { gbFromMb } from './format';

/**
 * With several NVIDIA GPUs: which one to train on (Hone picked the one with the most free VRAM), or several
 * together (issue #15): one process per card, DDP or FSDP as the plan decides.
 */
export function GpuPicker({ hardware, onSelect, onSelectSeveral }: { hardware: Hardware; onSelect(index: number): void; onSelectSeveral?(indices: number[]): void }) {
  const nvidia = hardware.gpus.filter((g) => g.vendor === 'nvidia');
  if (nvidia.length < 2) return null;
  const chosen = hardware.selectedGpus && hardware.selectedGpus.length > 1 ? hardware.selectedGpus : hardware.selectedGpu !== null ? [hardware.selectedGpu] : [];
  const several = chosen.length > 1;
  const toggle = (index: number, on: boolean) => {
    const next = on ? [...chosen, index] : chosen.filter((i) => i !== index);
    if (next.length) onSelectSeveral?.(next);
  };
  return (
    <fieldset className="card" data-testid="gpu-picker" data-several={several ? chosen.join(',') : undefined}>
      <legend>Train on</legend>
      {nvidia.map((g) => (
        <div key={g.index} className="row" style={{ padding: '4px 0', justifyContent: 'space-between' }}>
          <label className="row">
            <input type="radio" name="gpu" data-testid={`gpu-option-${g.index}`} checked={!several && hardware.selectedGpu === g.index} disabled={g.driverVersion === null} onChange={() => onSelect(g.index)} />
            <span>
              GPU {g.index}: {g.name} <span className="muted">({gbFromMb(g.vramFreeMb)} free of {gbFromMb(g.vramTotalMb)})</span>
            </span>
          </label>
          {onSelectSeveral && (
            <label className="row muted">
              <input type="checkbox" data-testid={`gpu-together-${g.index}`} checked={chosen.includes(g.index)} disabled={g.driverVersion === null || (chosen.length === 1 && chosen[0] === g.index)} onChange={(e) => toggle(g.index, e.target.checked)} />
              together
            </label>
          )}
        </div>
      ))}
      {several && (
        <p className="muted" data-testid="gpu-several" style={{ margin: '6px 0 0' }}>
          {chosen.length} GPUs together ({chosen.join(', ')}): one training process per card. The plan says whether each card holds the whole model (DDP) or a share of it (FSDP).
        </p>
      )}
    </fieldset>
  );
}
