/**
 * Train: shows the plan that will be used and starts the run; then the live dashboard of that run.
 * A completed run offers the next step, Export.
 */
import { useState } from 'react';
import { bridge, errorText } from '../bridge';
import { useWizard } from '../stores/wizard';
import { useRuns } from '../stores/runs';
import { RunDashboard } from '../components/runs/RunDashboard';
import { PlanSummary } from '../components/runs/PlanSummary';
import { MemoryAccuracy } from '../components/runs/MemoryAccuracy';
import type { RunConfig } from '../../../electron/shared/types/runs';

function numberOrNull(text: string): number | null {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) && n > 0 ? n : null;
}

export function TrainStep() {
  const { model, dataset, plan, objective, runId, patch, goTo } = useWizard();
  const status = useRuns((s) => (runId ? s.summaries[runId]?.status : undefined));
  // One epoch, as planned (the plan's time estimate is for it): the demo learns its style in one.
  const [maxSteps, setMaxSteps] = useState('');
  const [epochs, setEpochs] = useState('1');
  const [name, setName] = useState('');
  const [allowTruncation, setAllowTruncation] = useState(false);
  const [takeFaster, setTakeFaster] = useState(false);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<{ message: string; hint?: string } | null>(null);

  if (runId) {
    return (
      <RunDashboard runId={runId}>
        {status === 'completed' && (
          <button type="button" className="primary" data-testid="train-next-export" onClick={() => goTo('export')}>
            Next: Export
          </button>
        )}
        {status && !['queued', 'preparing', 'training', 'stopping'].includes(status) && (
          <button type="button" data-testid="train-new" onClick={() => patch({ runId: null })}>
            New run
          </button>
        )}
      </RunDashboard>
    );
  }

  const missing = !model ? 'model' : !dataset ? 'dataset' : !plan ? 'method' : null;
  if (missing) {
    return (
      <section className="card">
        <h2>Train</h2>
        <p>Choose a {missing} first.</p>
        <button type="button" onClick={() => goTo(missing)}>
          Go to {missing}
        </button>
      </section>
    );
  }

  const start = async () => {
    setStarting(true);
    setError(null);
    const config: RunConfig = {
      model: model!.localPath ?? model!.id,
      dataset: dataset!.imported?.trainPath ?? dataset!.path,
      evalDataset: dataset!.imported?.evalPath ?? null,
      objective: plan!.objective ?? objective,
      plan: plan!,
      maxSteps: numberOrNull(maxSteps),
      epochs: numberOrNull(epochs) ?? 1,
      name: name.trim() || undefined,
      memoryCheck: allowTruncation || takeFaster ? { allowTruncation, takeFaster } : null,
    };
    try {
      const run = await bridge.invoke('runs.start', { config });
      useRuns.setState((s) => ({ summaries: { ...s.summaries, [run.id]: run } }));
      patch({ runId: run.id });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setStarting(false);
    }
  };

  return (
    <section className="card">
      <h2>Train {model!.name}</h2>
      <p className="muted">
        On {dataset!.imported ? `${dataset!.imported.trainRows} rows` : dataset!.path}
        {dataset!.imported?.evalRows ? `, evaluated on ${dataset!.imported.evalRows}` : ''}.
      </p>
      <PlanSummary plan={plan!} />
      <MemoryAccuracy device={plan!.device} />
      {plan!.device === 'cuda' && (
        <p className="muted" data-testid="train-memory-check">
          Before training, a few steps on your longest rows check the memory on your card; if the peak would leave less than a {(plan!.margin_gb ?? 0.5).toFixed(1)} GB margin, the batch shrinks (accumulation keeps the effective batch).
        </p>
      )}
      {plan!.device === 'cuda' && (
        <div className="row">
          <label title="If even batch 1 does not fit, the memory check may cut rows to a shorter max_seq_length instead of stopping to ask">
            <input type="checkbox" data-testid="train-allow-truncation" checked={allowTruncation} onChange={(e) => setAllowTruncation(e.target.checked)} /> Allow cutting long rows if memory needs it
          </label>
          <label title="When the memory check finds lots of room, try a larger batch (same effective batch) and keep it if it fits">
            <input type="checkbox" data-testid="train-take-faster" checked={takeFaster} onChange={(e) => setTakeFaster(e.target.checked)} /> Use a faster plan if memory allows
          </label>
        </div>
      )}
      <div className="row" style={{ marginTop: 12 }}>
        <label>
          Name <input data-testid="train-name" value={name} placeholder="optional" onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Epochs <input data-testid="train-epochs" type="number" min={1} style={{ width: 70 }} value={epochs} onChange={(e) => setEpochs(e.target.value)} />
        </label>
        <label title="Stop after this many optimiser steps (blank: train the full epochs)">
          Max steps <input data-testid="train-max-steps" type="number" min={1} style={{ width: 90 }} value={maxSteps} placeholder="all" onChange={(e) => setMaxSteps(e.target.value)} />
        </label>
      </div>
      {error && (
        <div className="banner error" role="alert" style={{ marginTop: 12 }}>
          {error.message}
          {error.hint && <div className="muted">{error.hint}</div>}
        </div>
      )}
      <div className="actions" style={{ marginTop: 12 }}>
        <button type="button" onClick={() => goTo('method')}>
          Back
        </button>
        <button type="button" className="primary" data-testid="train-start" disabled={starting} onClick={() => void start()}>
          {starting ? 'Starting…' : 'Start training'}
        </button>
      </div>
    </section>
  );
}
