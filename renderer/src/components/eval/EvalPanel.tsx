/**
 * The ROI report on the run page: "was this fine-tune worth it?" answered in one line, backed by the chart,
 * the example rows, the measured speed and the cost comparison. Runs by itself after training when the run
 * has held-out rows; here it can also be started (on another file), followed, stopped, taken through
 * Ollama, and exported.
 */
import { useEffect, useState } from 'react';
import { costComparison, costSentence } from '../../../../electron/shared/eval-cost';
import { metricRows, verdict } from '../../../../electron/shared/eval-verdict';
import type { EvalProgress, EvalRecord } from '../../../../electron/shared/types/eval';
import { useEval } from '../../stores/eval';
import { useSettings } from '../../stores/settings';
import { EvalChart } from './EvalChart';
import { EvalExamples } from './EvalExamples';
import { EvalSpeedCost } from './EvalSpeedCost';
import './eval.css';

const STAGES: Record<string, string> = {
  starting: 'Starting the evaluation',
  validating: 'Checking the held-out rows',
  loading_model: 'Loading the models',
  generating: 'Base and fine-tuned models answering the held-out rows',
  scoring: 'Scoring the replies',
  ollama_base_model: 'Getting the base model into Ollama',
  ollama_base: 'The base model answering in Ollama',
  ollama_tuned: 'The fine-tuned model answering in Ollama',
  ollama_scoring: 'Scoring Ollama\'s replies',
};

function stageText(stage: string): string {
  const [head, rest] = stage.split(': ');
  return (STAGES[head] ?? head.replace(/_/g, ' ')) + (rest ? ` (${rest})` : '');
}

function Progress({ live, onStop, busy }: { live: EvalProgress; onStop(): void; busy: boolean }) {
  const pct = live.total ? Math.min(100, (100 * live.done) / live.total) : null;
  return (
    <div className="run-progress" data-testid="eval-progress" data-stage={live.stage} data-done={live.done} data-total={live.total ?? ''}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <span>
          {stageText(live.stage)}
          {live.total ? <span className="muted"> · {live.done} / {live.total}</span> : null}
        </span>
        <button type="button" data-testid="eval-stop" disabled={busy} onClick={onStop}>
          Stop
        </button>
      </div>
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct ?? undefined}>
        <span style={{ width: pct === null ? '30%' : `${pct}%` }} className={pct === null ? 'indeterminate' : undefined} />
      </div>
    </div>
  );
}

function Report({ record }: { record: EvalRecord }) {
  const report = record.report!;
  const settings = useSettings((s) => s.settings);
  const v = verdict(report);
  const rows = metricRows(report);
  const cost = costSentence(costComparison(report, settings?.evalCost));
  return (
    <>
      <p className={`eval-verdict ${v.kind}`} data-testid="eval-verdict" data-kind={v.kind}>
        {v.headline}
        {cost ? ` ${cost}` : ''}
      </p>
      {v.caveats.map((c) => (
        <div key={c} className="banner warning" data-testid={c.startsWith('Serving mismatch') ? 'eval-mismatch' : undefined}>
          {c}
        </div>
      ))}
      {report.ollama && !report.ollama.mismatch.flagged && (
        <p className="muted" data-testid="eval-ollama-ok">
          {report.ollama.mismatch.message}
        </p>
      )}
      <div className="eval-two">
        <EvalChart rows={rows} withOllama={!!report.ollama} />
        <table data-testid="eval-metrics">
          <thead>
            <tr>
              <th>Metric</th>
              <th>Base</th>
              <th>Fine-tuned</th>
              {report.ollama && <th>Ollama</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} title={r.help}>
                <th>{r.label}</th>
                <td data-testid={`eval-metric-base-${r.key}`} data-value={r.base ?? ''}>{r.base === null ? '—' : r.base.toFixed(3)}</td>
                <td data-testid={`eval-metric-tuned-${r.key}`} data-value={r.tuned ?? ''}>
                  {r.tuned === null ? '—' : r.tuned.toFixed(3)}
                  {r.base !== null && r.tuned !== null && <span className={r.tuned >= r.base ? 'eval-up' : 'eval-down'}> {(r.tuned - r.base >= 0 ? '+' : '') + (r.tuned - r.base).toFixed(2)}</span>}
                </td>
                {report.ollama && <td data-testid={`eval-metric-ollama-${r.key}`} data-value={r.ollamaTuned ?? ''}>{r.ollamaTuned == null ? '—' : r.ollamaTuned.toFixed(3)}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <EvalSpeedCost report={report} />
      <h3>Examples</h3>
      <EvalExamples report={report} />
      <p className="muted">
        {report.n} of {report.dataset.rows} rows of the {record.dataSource ?? 'evaluation file'} ({record.status === 'stopped' ? 'stopped early, ' : ''}
        {record.trigger === 'auto' ? 'evaluated after training' : record.trigger === 'cli' ? 'evaluated with hone eval' : 'evaluated here'}, {new Date(record.endedAt ?? record.createdAt).toLocaleString()}). ROUGE-L and chrF: 0 to 1 similarity to the reference.
      </p>
    </>
  );
}

export function EvalPanel({ runId, runStatus }: { runId: string; runStatus: string | null }) {
  const { records, live, errors, busy, load, start, stop, ollama, exportReport } = useEval();
  const [dataPath, setDataPath] = useState('');
  const record = records[runId] ?? null;
  const progress = live[runId] ?? null;
  const error = errors[runId] ?? null;
  const isBusy = busy[runId] ?? false;
  useEffect(() => {
    void load(runId);
  }, [runId, load, runStatus]);
  useEffect(() => {
    if (!useSettings.getState().settings) void useSettings.getState().load();
  }, []);
  const running = !!progress || record?.status === 'running';
  const hasReport = !!record?.report && record.report.n > 0;
  return (
    <section className="card eval-panel" data-testid="eval-panel" data-status={record?.status ?? 'none'}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 style={{ margin: 0 }}>Was this fine-tune worth it?</h2>
        {hasReport && !running && (
          <div className="row">
            <button type="button" data-testid="eval-ollama" disabled={isBusy} onClick={() => void ollama(runId)} title="Run the same rows through Ollama: speed as served, and a check that Ollama answers like the trained model">
              {record.report!.ollama ? 'Run in Ollama again' : 'Run in Ollama too'}
            </button>
            <button type="button" data-testid="eval-export-html" disabled={isBusy} onClick={() => void exportReport(runId, 'html')}>
              Export report (HTML)
            </button>
            <button type="button" data-testid="eval-export-md" disabled={isBusy} onClick={() => void exportReport(runId, 'markdown')}>
              Markdown
            </button>
          </div>
        )}
      </div>
      {progress && <Progress live={progress} busy={isBusy} onStop={() => void stop(runId)} />}
      {error && (
        <div className="banner error" role="alert" data-testid="eval-error">
          {error.message}
          {error.hint && <div className="muted">{error.hint}</div>}
        </div>
      )}
      {!running && record?.status === 'failed' && record.error && !error && (
        <div className="banner error" role="alert" data-testid="eval-error">
          The last evaluation failed: {record.error.message}
          {record.error.hint && <div className="muted">{record.error.hint}</div>}
        </div>
      )}
      {hasReport && <Report record={record} />}
      {!running && (
        <div className="row eval-start">
          {!hasReport && <span className="muted">Compare the fine-tuned model with its base on rows it did not train on: quality, speed and cost.</span>}
          <input data-testid="eval-data" style={{ minWidth: 280 }} placeholder="Held-out rows: the run's own, or a file path" value={dataPath} onChange={(e) => setDataPath(e.target.value)} />
          <button type="button" className={hasReport ? undefined : 'primary'} data-testid="eval-start" disabled={isBusy || runStatus === 'training' || runStatus === 'preparing'} onClick={() => void start(runId, { data: dataPath.trim() || null })}>
            {hasReport ? 'Evaluate again' : 'Evaluate'}
          </button>
        </div>
      )}
    </section>
  );
}
