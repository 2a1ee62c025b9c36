/**
 * "Our memory estimates were within 7% on your last 5 GPU runs": the planner's accuracy on this machine, from
 * the runs' memory records (shared/run-memory.ts), shown only when such runs exist.
 */
import { useEffect } from 'react';
import { accuracySentence, memoryAccuracy } from '../../../../electron/shared/run-memory';
import { useRuns } from '../../stores/runs';

export function MemoryAccuracy({ device }: { device?: 'cuda' | 'cpu' }) {
  const list = useRuns((s) => s.list);
  const refreshList = useRuns((s) => s.refreshList);
  useEffect(() => {
    refreshList().catch(() => undefined);
  }, [refreshList]);
  const a = device ? memoryAccuracy(list, device) : (memoryAccuracy(list, 'cuda') ?? memoryAccuracy(list, 'cpu'));
  if (!a) return null;
  return (
    <p className="muted" data-testid="memory-accuracy" data-runs={a.runs} data-worst-pct={a.worstPct.toFixed(1)} data-device={a.device}>
      {accuracySentence(a)}
    </p>
  );
}
