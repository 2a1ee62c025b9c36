/**
 * The memory check's stage ("Checking memory: 21.7 of 24 GB, fits.") and "GPU memory: planned X GB, measured
 * peak Y GB": the planner's estimate against the peaks the run measured.
 */
import { useEffect, useState } from 'react';
import type { Plan } from '../../../../electron/shared/types/plan';
import type { RunDetail, RunSummary } from '../../../../electron/shared/types/runs';
import { bridge, errorText } from '../../bridge';
import { useRuns } from '../../stores/runs';
import { useWizard } from '../../stores/wizard';
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

/** The memory check's stage: its latest verdict ("Checking memory: 21.7 of 24 GB, fits."), or that it is running. */
function CheckLine({ data }: { data: RunData | null }) {
  const c = data?.memoryCheck;
  if (!c) return null;
  const text = c.message ?? 'Checking memory: a few steps on the longest rows…';
  const running = c.probing && c.action !== 'accept' && c.action !== 'abort';
  return (
    <div className={`row ${c.action === 'abort' ? 'error-box' : 'muted'}`} data-testid="run-memory-check" data-action={c.action ?? ''} data-verdict={c.verdict ?? ''} data-used-gb={c.usedGb ?? ''} data-budget-gb={c.budgetGb ?? ''}>
      {text}
      {running && c.message ? ' Measuring…' : ''}
    </div>
  );
}

/**
 * A run the memory check stopped because only cutting rows would fit: start it again with the user's consent
 * (the same config, memoryCheck.allowTruncation set), and follow the new run in the Train step.
 */
export function ConsentRestart({ runId, summary }: { runId: string; summary: RunSummary | null }) {
  const { patch, goTo } = useWizard();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (summary?.memory?.check?.verdict !== 'needs_consent' || summary.status !== 'failed') return null;
  const restart = async () => {
    setBusy(true);
    setError(null);
    try {
      const { config } = await bridge.invoke('runs.get', { runId });
      const run = await bridge.invoke('runs.start', { config: { ...config, name: undefined, memoryCheck: { ...config.memoryCheck, allowTruncation: true } } });
      useRuns.setState((s) => ({ summaries: { ...s.summaries, [run.id]: run } }));
      patch({ runId: run.id });
      goTo('train');
    } catch (e) {
      setError(errorText(e).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="row">
      <button type="button" data-testid="run-allow-truncation" disabled={busy} onClick={() => void restart()}>
        Start again, cutting long rows
      </button>
      {error && <span className="error-box">{error}</span>}
    </span>
  );
}

export function MemoryLine({ runId, summary, data }: { runId: string; summary: RunSummary | null; data: RunData | null }) {
  const plan = usePlan(runId, summary);
  const m = memoryComparison(plan, data);
  const title = m && m.peakAllocatedGb !== null ? `Peak reserved by PyTorch's allocator; ${m.peakAllocatedGb.toFixed(1)} GB of it was allocated at the peak. The CUDA context (about 0.5 GB) is in the estimate but not in the measurement.` : undefined;
  return (
    <>
      <CheckLine data={data} />
      {m && (
        <div className="row muted" data-testid="run-memory" data-planned-gb={m.plannedGb} data-peak-gb={m.peakReservedGb ?? m.checkedGb ?? ''} title={title}>
          {plan?.device === 'cuda' ? 'GPU memory' : 'Memory'}: {m.text}
        </div>
      )}
    </>
  );
}
