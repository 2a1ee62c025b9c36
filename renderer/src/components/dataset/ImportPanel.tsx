/** The user's decisions before import: what to do with bad rows, how much to hold out for evaluation. */
import type { DatasetReport, ImportedDataset } from '../../../../electron/shared/types/dataset';

interface Props {
  report: DatasetReport;
  badRows: 'skip' | 'stop';
  evalPercent: number;
  evalPath: string;
  busy: boolean;
  imported: ImportedDataset | null;
  onChange(p: { badRows?: 'skip' | 'stop'; evalPercent?: number; evalPath?: string }): void;
  onImport(): void;
}

export function ImportPanel({ report, badRows, evalPercent, evalPath, busy, imported, onChange, onImport }: Props) {
  const bad = report.badRows;
  const blocked = report.goodRows === 0 || (bad > 0 && badRows === 'stop');
  return (
    <section className="card" data-testid="dataset-import-panel">
      <h2>Use this data</h2>
      {bad > 0 && (
        <fieldset className="banner warning" style={{ marginBottom: 12 }} data-testid="dataset-bad-rows">
          <legend>
            {bad.toLocaleString()} of {report.rowsRead.toLocaleString()} rows have errors (listed above)
          </legend>
          <label className="row" style={{ gap: 6 }}>
            <input type="radio" name="bad-rows" data-testid="dataset-bad-skip" checked={badRows === 'skip'} onChange={() => onChange({ badRows: 'skip' })} />
            Skip them and train on the {report.goodRows.toLocaleString()} good rows (the count is kept with the run)
          </label>
          <label className="row" style={{ gap: 6 }}>
            <input type="radio" name="bad-rows" data-testid="dataset-bad-stop" checked={badRows === 'stop'} onChange={() => onChange({ badRows: 'stop' })} />
            Stop: I will fix the file, then check it again
          </label>
        </fieldset>
      )}
      <label className="row" style={{ gap: 6 }}>
        <span>Hold out for evaluation</span>
        <input type="number" data-testid="dataset-eval-percent" min={0} max={50} value={evalPercent} disabled={!!evalPath.trim()} style={{ width: 70 }} onChange={(e) => onChange({ evalPercent: Math.min(50, Math.max(0, Number(e.target.value) || 0)) })} />
        <span className="muted">% of the good rows (chosen by a fixed seed, so the same every time)</span>
      </label>
      <label className="row" style={{ gap: 6, marginTop: 6 }}>
        <span>or evaluate on another file</span>
        <input data-testid="dataset-eval-path" placeholder="/path/to/eval.jsonl (optional, same format)" value={evalPath} style={{ flex: 1, minWidth: 240 }} onChange={(e) => onChange({ evalPath: e.target.value })} />
      </label>
      <div className="row" style={{ marginTop: 12 }}>
        <button type="button" className="primary" data-testid="dataset-import" disabled={busy || blocked} onClick={onImport}>
          {busy ? 'Importing…' : 'Import'}
        </button>
        {blocked && report.goodRows > 0 && <span className="muted">Fix the file and press “Check file” again, or choose to skip the bad rows.</span>}
        {report.goodRows === 0 && <span className="error-box">No usable rows: check the format and the column mapping.</span>}
      </div>
      {imported && (
        <p data-testid="dataset-imported" className="banner info" style={{ marginBottom: 0 }}>
          Imported {imported.trainRows.toLocaleString()} training rows
          {imported.evalRows ? ` and ${imported.evalRows.toLocaleString()} evaluation rows` : ''}
          {imported.skippedRows ? `, ${imported.skippedRows.toLocaleString()} bad rows skipped` : ''} as {imported.format}.
        </p>
      )}
    </section>
  );
}
