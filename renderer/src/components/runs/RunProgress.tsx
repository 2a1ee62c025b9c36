/** Progress bar with step/max, epoch, elapsed and ETA; during preparation, the sidecar's current stage. */
import { useEffect, useState } from 'react';
import type { RunSummary } from '../../../../electron/shared/types/runs';
import type { RunData } from './run-data';
import { duration, runSeconds } from './format';

const ACTIVE = new Set(['preparing', 'training', 'stopping']);

/** A clock for the elapsed time, ticking only while the run is active. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

export function RunProgress({ summary, data }: { summary: RunSummary | null; data: RunData | null }) {
  const status = data?.status ?? summary?.status ?? 'queued';
  const now = useNow(ACTIVE.has(status));
  const step = Math.max(data?.step ?? 0, summary?.step ?? 0);
  const max = data?.maxSteps ?? summary?.maxSteps ?? null;
  const pct = max ? Math.min(100, (100 * step) / max) : 0;
  const perStep = data?.secondsPerStep() ?? null;
  const eta = status === 'training' && perStep !== null && max ? perStep * (max - step) : null;
  const elapsed = runSeconds(summary?.startedAt ?? null, ACTIVE.has(status) ? null : (summary?.endedAt ?? null), now);
  const stage = status === 'preparing' && data?.stage ? data.stage : null;
  return (
    <div className="run-progress">
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={max ?? 0} aria-valuenow={step} data-testid="train-progress" data-step={step} data-max={max ?? ''}>
        <span style={{ width: `${pct}%` }} className={status === 'preparing' ? 'indeterminate' : undefined} />
      </div>
      <div className="row muted">
        <span data-testid="train-step">
          Step {step}
          {max ? ` / ${max}` : ''}
        </span>
        {data?.epoch !== null && data?.epoch !== undefined && <span>Epoch {data.epoch.toFixed(2)}</span>}
        <span>Elapsed {duration(elapsed)}</span>
        {eta !== null && <span data-testid="train-eta">ETA {duration(eta)}</span>}
        {stage && (
          <span>
            {stage.stage.replace(/_/g, ' ')}
            {stage.total ? ` ${stage.done}/${stage.total} ${stage.unit}` : ''}
          </span>
        )}
      </div>
    </div>
  );
}
