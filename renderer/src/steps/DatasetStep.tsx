/**
 * Dataset step: pick a sample or a file, see what Hone made of it (format, problems with their lines,
 * statistics against the max sequence length, the first rows, the rows through the model's chat template),
 * decide about bad rows and the eval split, import. Sets the wizard's dataset and, for DPO data, objective.
 */
import { useEffect, useRef } from 'react';
import { useDataset } from '../stores/dataset';
import { useWizard } from '../stores/wizard';
import { ProgressBar } from '../components/ProgressBar';
import { SourcePicker } from '../components/dataset/SourcePicker';
import { FormatPanel } from '../components/dataset/FormatPanel';
import { IssueList } from '../components/dataset/IssueList';
import { StatsPanel } from '../components/dataset/StatsPanel';
import { PreviewTable } from '../components/dataset/PreviewTable';
import { RenderedRows } from '../components/dataset/RenderedRows';
import { ImportPanel } from '../components/dataset/ImportPanel';
import '../components/dataset/dataset.css';

export function DatasetStep() {
  const ds = useDataset();
  const { model, dataset, plan, overrides, patch, next } = useWizard();
  const modelRef = model?.id ?? null;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const inspect = () => void useDataset.getState().inspect(modelRef);
  useEffect(() => {
    void ds.loadSamples();
    // The planner's length when there is a plan, else the model's, capped where most fine-tunes train.
    const maxSeqLength = overrides.maxSeqLength ?? plan?.max_seq_length ?? Math.min(model?.maxPositionEmbeddings ?? 2048, 2048);
    ds.set({ maxSeqLength });
    // A dataset chosen elsewhere (the welcome page's demo) is checked on arrival; a stale report again.
    if (dataset?.path && dataset.path !== ds.path) {
      ds.set({ path: dataset.path, format: null, mapping: {} });
      inspect();
    } else if (ds.path && (!ds.report || ds.report.stats.maxSeqLength !== maxSeqLength)) inspect();
    // Once on mount; later changes go through the handlers below.
  }, []);

  const pick = (path: string) => {
    // A sample with held-out rows brings them as the eval set; another file drops a sample's (not a typed one).
    const sample = ds.samples.find((s) => s.path === path);
    const sampleEval = ds.samples.some((s) => s.evalPath && s.evalPath === ds.evalPath);
    ds.set({ path, format: null, mapping: {}, ...(sample?.evalPath ? { evalPath: sample.evalPath } : sampleEval ? { evalPath: '' } : {}) });
    patch({ dataset: { path, report: null, imported: null } });
    inspect();
  };
  const later = (fn: () => void) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(fn, 400);
  };
  const doImport = async () => {
    const imported = await ds.importNow(modelRef);
    if (!imported) return;
    patch({ dataset: { path: ds.path, report: imported.report, imported }, objective: imported.format === 'dpo' ? 'dpo' : 'sft', plan: null });
  };

  const report = ds.report;
  return (
    <>
      <SourcePicker samples={ds.samples} path={ds.path} busy={ds.busy !== null} onPick={pick} />
      {ds.busy && (
        <section className="card">
          <ProgressBar progress={ds.progress ?? { stage: ds.busy === 'import' ? 'importing' : 'checking', done: 0, total: null, unit: 'bytes' }} testId="dataset-progress" />
        </section>
      )}
      {ds.error && (
        <p className="banner error" role="alert" data-testid="dataset-error">
          {ds.error.message} {ds.error.hint}
        </p>
      )}
      {report && (
        <>
          <FormatPanel
            detection={report.detection}
            override={ds.format}
            mapping={ds.mapping}
            disabled={ds.busy !== null}
            onChange={(p) => {
              ds.set({ ...(p.format !== undefined ? { format: p.format } : {}), ...(p.mapping ? { mapping: p.mapping } : {}) });
              inspect();
            }}
          />
          <IssueList report={report} />
          <StatsPanel
            report={report}
            maxSeqLength={ds.maxSeqLength}
            onMaxSeqLength={(n) => {
              ds.set({ maxSeqLength: n });
              later(inspect);
            }}
          />
          <PreviewTable report={report} />
          <RenderedRows rows={ds.rendered} error={ds.renderError} modelName={model?.name ?? null} />
          <ImportPanel report={report} badRows={ds.badRows} evalPercent={ds.evalPercent} evalPath={ds.evalPath} busy={ds.busy === 'import'} imported={ds.imported} onChange={(p) => ds.set(p)} onImport={() => void doImport()} />
        </>
      )}
      <div className="actions">
        <span className="muted" data-testid="dataset-chosen">
          {dataset?.imported ? `Using ${dataset.imported.trainRows.toLocaleString()} rows (${dataset.imported.format})` : 'Import a dataset to go on.'}
        </span>
        <button type="button" className="primary" data-testid="wizard-next" disabled={!dataset?.imported} onClick={next}>
          Next: method
        </button>
      </div>
    </>
  );
}
