import type { Progress } from '../../../electron/shared/types/progress';

function fmt(n: number, unit: Progress['unit']): string {
  if (unit === 'bytes') {
    const u = ['B', 'KB', 'MB', 'GB'];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) {
      n /= 1024;
      i++;
    }
    return `${n.toFixed(i ? 1 : 0)} ${u[i]}`;
  }
  return `${n}`;
}

/** The one progress bar for every long operation ({stage, done, total, unit}). */
export function ProgressBar({ progress, testId }: { progress: Progress; testId?: string }) {
  const pct = progress.total ? Math.min(100, (100 * progress.done) / progress.total) : null;
  return (
    <div data-testid={testId} role="progressbar" aria-valuenow={pct ?? undefined} aria-valuemin={0} aria-valuemax={100}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <span>
          {progress.stage}
          {progress.detail ? <span className="muted"> · {progress.detail}</span> : null}
        </span>
        <span className="muted">
          {progress.total ? `${fmt(progress.done, progress.unit)} / ${fmt(progress.total, progress.unit)}` : progress.done ? fmt(progress.done, progress.unit) : ''}
        </span>
      </div>
      <div className="progress">
        <span style={{ width: pct === null ? '30%' : `${pct}%` }} className={pct === null ? 'indeterminate' : ''} />
      </div>
    </div>
  );
}
