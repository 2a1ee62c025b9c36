/** A run, live: status, progress, Stop/Resume, the error of a failed run, charts and the log. */
import { useEffect, useState, type ReactNode } from 'react';
import { bridge, errorText } from '../../bridge';
import { useWizard } from '../../stores/wizard';
import { RunCharts } from './RunCharts';
import { RunProgress } from './RunProgress';
import { LogPanel } from './LogPanel';
import { EvalPanel } from '../eval/EvalPanel';
import { ConsentRestart, MemoryLine } from './MemoryLine';
import { StatusBadge } from './StatusBadge';
import { useRunData } from './useRunData';
import './runs.css';

const STOPPABLE = new Set(['queued', 'preparing', 'training']);

function useGpuTotalGb(): number | null {
  const hardware = useWizard((s) => s.hardware);
  const patch = useWizard((s) => s.patch);
  useEffect(() => {
    if (!hardware) bridge.invoke('hardware.get').then((hw) => patch({ hardware: hw }), () => undefined);
  }, [hardware, patch]);
  const gpu = hardware && hardware.selectedGpu !== null ? hardware.gpus.find((g) => g.index === hardware.selectedGpu) : null;
  return gpu ? gpu.vramTotalMb / 1024 : null;
}

export function RunDashboard({ runId, children }: { runId: string; children?: ReactNode }) {
  const { data, version, summary } = useRunData(runId);
  const gpuTotalGb = useGpuTotalGb();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; hint?: string } | null>(null);
  // The event stream is the newest word on status; the summary (fetched after each status event) may lag it.
  const status = data?.status ?? summary?.status ?? null;

  const act = async (channel: 'runs.stop' | 'runs.resume') => {
    setBusy(true);
    setError(null);
    try {
      await bridge.invoke(channel, { runId });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="run-dashboard" data-testid="run-dashboard" data-run-id={runId}>
      <section className="card">
        <div className="row" style={{ justifyContent: 'space-between' }}>
          <h2 style={{ margin: 0 }}>
            {summary?.name ?? runId} {status && <StatusBadge status={status} queuePosition={summary?.queuePosition} testId="train-status" />}
          </h2>
          <div className="row">
            {status && STOPPABLE.has(status) && (
              <button type="button" data-testid="train-stop" disabled={busy} onClick={() => void act('runs.stop')}>
                {status === 'queued' ? 'Cancel' : 'Stop'}
              </button>
            )}
            {status === 'stopping' && <span className="muted">Stopping after this step, saving a checkpoint…</span>}
            <ConsentRestart runId={runId} summary={summary} />
            {summary?.resumable && (
              <button type="button" className="primary" data-testid="run-resume" disabled={busy} onClick={() => void act('runs.resume')}>
                Resume
              </button>
            )}
            {children}
          </div>
        </div>
        {status === 'queued' && (
          <p className="muted" data-testid="train-queued">
            Waiting for the GPU: another run is training{summary?.queuePosition ? ` (position ${summary.queuePosition} in the queue)` : ''}.
          </p>
        )}
        <RunProgress summary={summary} data={data} />
        <MemoryLine runId={runId} summary={summary} data={data} />
        {error && (
          <div className="banner error" role="alert">
            {error.message}
            {error.hint && <div className="muted">{error.hint}</div>}
          </div>
        )}
        {summary?.error && (status === 'failed' || status === 'interrupted') && (
          <div className="banner error" role="alert" data-testid="run-error">
            <strong>{summary.error.message}</strong>
            {summary.error.hint && <div>{summary.error.hint}</div>}
            {summary.error.exitCode !== undefined && summary.error.exitCode !== null && <div className="muted">Exit code {summary.error.exitCode}</div>}
            {summary.error.logTail && summary.error.logTail.length > 0 && <pre className="log">{summary.error.logTail.join('\n')}</pre>}
          </div>
        )}
      </section>
      {status && ['completed', 'stopped'].includes(status) && <EvalPanel runId={runId} runStatus={status} />}
      {data && <RunCharts data={data} version={version} objective={summary?.objective ?? 'sft'} gpuTotalGb={gpuTotalGb} />}
      {data && <LogPanel lines={data.logs} version={version} />}
    </div>
  );
}
