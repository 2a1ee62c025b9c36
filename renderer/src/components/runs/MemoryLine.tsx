/** "GPU memory: planned X GB, measured peak Y GB": the planner's estimate against the peaks the run measured. */
import { useEffect, useState } from 'react';
import type { Plan } from '../../../../electron/shared/types/plan';
import type { RunDetail, RunSummary } from '../../../../electron/shared/types/runs';
import { bridge } from '../../bridge';
import { memoryComparison, type RunData } from './run-data';

function usePlan(runId: string, summary: RunSummary | null): Plan | null {
  const fromSummary = summary && 'config' in summary ? (summary as RunDetail).config.plan : null;
  const [fetched, setFetched] = useState<Plan | null>(null);
  useEffect(() => {
    if (fromSummary) return;
    let live = true;
    bridge.invoke('runs.get', { runId }).then((r) => live && setFetched(r.config.plan), () => undefined);
    return () => {
      live = false;
    };
  }, [runId, fromSummary]);
  return fromSummary ?? fetched;
}

export function MemoryLine({ runId, summary, data }: { runId: string; summary: RunSummary | null; data: RunData | null }) {
  const m = memoryComparison(usePlan(runId, summary), data);
  if (!m) return null;
  const title = m.peakAllocatedGb !== null ? `Peak reserved by PyTorch's allocator; ${m.peakAllocatedGb.toFixed(1)} GB of it was allocated at the peak. The CUDA context (about 0.5 GB) is in the estimate but not in the measurement.` : undefined;
  return (
    <div className="row muted" data-testid="run-memory" data-planned-gb={m.plannedGb} data-peak-gb={m.peakReservedGb ?? ''} title={title}>
      GPU memory: {m.text}
    </div>
  );
}
