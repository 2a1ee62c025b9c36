import { useEffect, useState } from 'react';
import { bridge, errorText } from '../bridge';
import { useWizard } from '../stores/wizard';
import { useHardware } from '../stores/hardware';
import { useCatalog } from '../stores/catalog';
import { ObjectivePicker } from '../components/plan/ObjectivePicker';
import { PlanTable } from '../components/plan/PlanTable';
import { MemoryBar } from '../components/plan/MemoryBar';
import { ReasonList } from '../components/plan/ReasonList';
import { AdvancedPanel } from '../components/plan/AdvancedPanel';
import { usePlan } from '../components/plan/usePlan';
import { datasetStatsOf } from '../components/plan/stats';

export function MethodStep() {
  const { model, dataset, objective, overrides, patch, next, goTo } = useWizard();
  const hardware = useHardware((s) => s.hardware);
  const models = useCatalog((s) => s.models);
  const stats = datasetStatsOf(dataset);
  const gpu = hardware?.gpus.find((g) => g.index === hardware.selectedGpu) ?? null;
  const hardwareKey = `${hardware?.selectedGpu}:${gpu?.vramFreeMb}`;
  const { plan, error, busy, refresh } = usePlan(model?.id ?? null, objective, overrides, stats, hardwareKey);
  const [measuring, setMeasuring] = useState(false);
  const [measureError, setMeasureError] = useState<string | null>(null);
  // The CPU estimate starts from a cautious default speed; a short measurement (once per machine) makes it this machine's.
  const measure = async () => {
    setMeasuring(true);
    setMeasureError(null);
    try {
      await bridge.invoke('plan.calibrate', { force: true });
      refresh();
    } catch (e) {
      const t = errorText(e);
      setMeasureError(`${t.message}${t.hint ? ` ${t.hint}` : ''}`);
    } finally {
      setMeasuring(false);
    }
  };

  // A preference dataset can only train with DPO; the wizard follows the data unless the user chose.
  useEffect(() => {
    if (dataset?.imported?.format === 'dpo' && objective !== 'dpo') patch({ objective: 'dpo' });
  }, [dataset?.imported?.format]);
  useEffect(() => {
    patch({ plan });
  }, [plan]);

  if (!model) {
    return (
      <section className="card">
        <p>Choose a model first.</p>
        <button type="button" onClick={() => goTo('model')}>Go to the Model step</button>
      </section>
    );
  }
  const suggested = plan?.suggestion ? models.find((m) => m.id === plan.suggestion!.modelId) : null;
  const cardGb = plan?.device === 'cuda' && gpu && !overrides.vramGb ? gpu.vramTotalMb / 1024 : null;
  return (
    <>
      <section className="card">
        <h2>How to train {model.name}</h2>
        <ObjectivePicker value={objective} onChange={(o) => patch({ objective: o })} />
      </section>
      {error && (
        <div className="banner error" role="alert" data-testid="plan-error">
          {error.message} {error.hint}
        </div>
      )}
      {plan && (
        <section className="card" data-testid="plan-card" data-fits={plan.fits ? 'yes' : 'no'} aria-busy={busy}>
          <div className="row" style={{ justifyContent: 'space-between', marginBottom: 10 }}>
            <h2 style={{ margin: 0 }}>The plan</h2>
            <span className={`badge ${plan.fits ? 'ok' : 'err'}`} data-testid="plan-fits">
              {plan.fits ? (plan.device === 'cpu' ? 'Runs on your CPU' : 'Fits your GPU') : 'Does not fit'}
            </span>
          </div>
          <MemoryBar plan={plan} cardGb={cardGb} />
          <PlanTable plan={plan} />
          <ReasonList plan={plan} />
          {plan.device === 'cpu' && plan.eta && (
            <div className="row" style={{ marginTop: 8 }}>
              <button type="button" data-testid="plan-calibrate" disabled={measuring} onClick={() => void measure()}>
                {measuring ? 'Measuring this CPU…' : plan.eta.measured ? 'Measure this CPU again' : 'Measure this CPU (about 15 s) for a closer estimate'}
              </button>
              {measureError && <span className="banner error" role="alert">{measureError}</span>}
            </div>
          )}
          {suggested && (
            <button type="button" data-testid="plan-use-suggestion" style={{ marginTop: 8 }} onClick={() => patch({ model: suggested, plan: null })}>
              Use {suggested.name} instead
            </button>
          )}
        </section>
      )}
      <AdvancedPanel overrides={overrides} onChange={(o) => patch({ overrides: o })} />
      <div className="actions">
        <button type="button" data-testid="wizard-back" onClick={() => goTo('model')}>
          Back to models
        </button>
        {/* Planning can come before the data (from the Model step); then the data comes next. */}
        <button type="button" className="primary" data-testid="wizard-next" disabled={!plan?.fits || busy} onClick={() => (dataset ? next() : goTo('dataset'))}>
          {dataset ? 'Next: train' : 'Next: choose a dataset'}
        </button>
      </div>
    </>
  );
}
