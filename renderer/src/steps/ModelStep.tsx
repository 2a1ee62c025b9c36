import { useEffect } from 'react';
import { useCatalog } from '../stores/catalog';
import { useHardware } from '../stores/hardware';
import { useWizard } from '../stores/wizard';
import { ModelOption } from '../components/models/ModelOption';
import { LocalFolderForm } from '../components/models/LocalFolderForm';
import { DownloadPanel } from '../components/models/DownloadPanel';
import { filterModels, sortModels } from '../components/models/filter';
import { PlanPreview } from '../components/plan/PlanPreview';
import { usePlan } from '../components/plan/usePlan';
import { datasetStatsOf } from '../components/plan/stats';
import type { ModelSpec } from '../../../electron/shared/types/model';

export function ModelStep() {
  const { models, local, fits, query, error, load, setQuery, computeFits } = useCatalog();
  const hardware = useHardware((s) => s.hardware);
  const loadHardware = useHardware((s) => s.load);
  const model = useWizard((s) => s.model);
  const patch = useWizard((s) => s.patch);
  const next = useWizard((s) => s.next);
  const goTo = useWizard((s) => s.goTo);
  const objective = useWizard((s) => s.objective);
  const overrides = useWizard((s) => s.overrides);
  const dataset = useWizard((s) => s.dataset);

  useEffect(() => {
    void load();
    if (!hardware) void loadHardware();
    // Once on mount: the hardware and catalogue stores keep themselves current.
  }, []);

  // Whether each model fits depends on the GPU chosen and its free VRAM: ask again when those change.
  const gpu = hardware?.gpus.find((g) => g.index === hardware.selectedGpu);
  const fitsKey = hardware ? `${hardware.selectedGpu}:${gpu?.vramFreeMb ?? ''}:${models.length}` : '';
  useEffect(() => {
    if (fitsKey && models.length) void computeFits(fitsKey);
  }, [fitsKey]);

  const preview = usePlan(model?.id ?? null, objective, overrides, datasetStatsOf(dataset), fitsKey);
  const previewPlan = preview.plan?.modelId === model?.id ? preview.plan : null;
  // The download panel and the dataset step read the wizard's plan (4-bit or 16-bit weights, sequence length).
  useEffect(() => {
    if (previewPlan) patch({ plan: previewPlan });
  }, [previewPlan]);
  const pick = (m: ModelSpec) => patch({ model: m, plan: null });
  const shown = [...local, ...sortModels(filterModels(models, query))];
  return (
    <>
      <section className="card">
        <h2>Choose a model</h2>
        <input
          type="search"
          data-testid="model-search"
          placeholder="Search: llama, qwen 7b, apache, gemma…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          style={{ width: '100%', marginBottom: 12 }}
        />
        {error && (
          <p className="error-box" role="alert">
            {error.message} {error.hint}
          </p>
        )}
        <ul data-testid="model-list" style={{ listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: 6, maxHeight: 460, overflow: 'auto' }}>
          {shown.map((m) => (
            <ModelOption key={m.id} model={m} fit={fits[m.id]} selected={model?.id === m.id} onPick={() => pick(m)} />
          ))}
          {!shown.length && models.length > 0 && <li className="muted">No model matches “{query}”.</li>}
        </ul>
      </section>
      <LocalFolderForm onAdded={pick} />
      {model && <PlanPreview plan={previewPlan} busy={preview.busy} onAdjust={() => goTo('method')} />}
      {model && <DownloadPanel spec={model} />}
      <div className="actions">
        <span className="muted" data-testid="model-chosen">
          {model ? `Chosen: ${model.name}` : 'Pick a model to go on.'}
        </span>
        <button type="button" className="primary" data-testid="wizard-next" disabled={!model} onClick={next}>
          Next: dataset
        </button>
      </div>
    </>
  );
}
