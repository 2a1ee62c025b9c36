/** The detected format with its confidence, an override, and the column mapping when names differ. */
import { DATASET_FORMAT_FIELDS, type ColumnMapping, type DatasetFormat, type Detection } from '../../../../electron/shared/types/dataset';

export const FORMAT_LABELS: Record<DatasetFormat, string> = {
  alpaca: 'Alpaca (instruction, input, output)',
  sharegpt: 'ShareGPT (conversations of from/value)',
  messages: 'OpenAI messages (role/content)',
  prompt_completion: 'Prompt / completion',
  text: 'Plain text',
  dpo: 'DPO preference pairs (prompt, chosen, rejected)',
};

interface Props {
  detection: Detection;
  override: DatasetFormat | null;
  mapping: ColumnMapping;
  disabled: boolean;
  onChange(p: { format?: DatasetFormat | null; mapping?: ColumnMapping }): void;
}

export function FormatPanel({ detection, override, mapping, disabled, onChange }: Props) {
  const pct = Math.round(detection.confidence * 100);
  const fields = DATASET_FORMAT_FIELDS[detection.format];
  const differs = Object.entries(detection.mapping).some(([f, c]) => f !== c);
  const unmapped = fields.required.filter((f) => !detection.mapping[f]);
  const showMapping = differs || unmapped.length > 0 || Object.keys(mapping).length > 0 || pct < 100;
  return (
    <section className="card" data-testid="dataset-detection">
      <h2>Format</h2>
      <div className="row">
        <span data-testid="dataset-detected">
          <strong>{FORMAT_LABELS[detection.format]}</strong>{' '}
          <span className={`badge ${pct >= 90 ? 'ok' : pct >= 50 ? 'warn' : 'err'}`}>{override ? `chosen, ${pct}% of rows match` : `detected, ${pct}% of rows match`}</span>
        </span>
        <label className="row" style={{ gap: 6 }}>
          <span className="muted">Read as</span>
          <select data-testid="dataset-format" value={override ?? 'auto'} disabled={disabled} onChange={(e) => onChange({ format: e.target.value === 'auto' ? null : (e.target.value as DatasetFormat), mapping: {} })}>
            <option value="auto">Auto-detect</option>
            {(Object.keys(FORMAT_LABELS) as DatasetFormat[]).map((f) => (
              <option key={f} value={f}>
                {FORMAT_LABELS[f]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {detection.alternatives.length > 0 && (
        <p className="muted">Also possible: {detection.alternatives.map((a) => `${a.format} (${Math.round(a.confidence * 100)}%)`).join(', ')}</p>
      )}
      {showMapping && (
        <div data-testid="dataset-mapping" style={{ marginTop: 8 }}>
          <p className="muted" style={{ margin: '4px 0' }}>Which of your columns holds each field:</p>
          <div className="row">
            {[...fields.required, ...fields.optional].map((f) => (
              <label key={f} className="row" style={{ gap: 4 }}>
                <span>
                  {f}
                  {fields.required.includes(f) ? ' *' : ''}
                </span>
                <select
                  data-testid={`dataset-map-${f}`}
                  disabled={disabled}
                  value={mapping[f] ?? detection.mapping[f] ?? ''}
                  onChange={(e) => onChange({ format: override ?? detection.format, mapping: { ...mapping, [f]: e.target.value } })}
                >
                  <option value="">(none)</option>
                  {detection.columns.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </label>
            ))}
          </div>
        </div>
      )}
    </section>
  );
}
