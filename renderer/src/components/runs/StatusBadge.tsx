import type { RunStatus } from '../../../../electron/shared/types/runs';

const TONE: Record<RunStatus, string> = {
  queued: '',
  preparing: 'warn',
  training: 'warn',
  stopping: 'warn',
  completed: 'ok',
  stopped: '',
  failed: 'err',
  interrupted: 'err',
};

export function StatusBadge({ status, queuePosition, testId }: { status: RunStatus; queuePosition?: number | null; testId?: string }) {
  const text = status === 'queued' && queuePosition ? `queued, position ${queuePosition}` : status;
  return (
    <span className={`badge ${TONE[status]}`} data-testid={testId} data-status={status}>
      {text}
    </span>
  );
}
