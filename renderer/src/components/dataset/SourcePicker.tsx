/** Where the data comes from: a bundled sample, or a file path on this machine (JSONL, JSON, CSV, Parquet). */
import { useState, useEffect } from 'react';
import type { Sample } from '../../stores/dataset';

interface Props {
  samples: Sample[];
  path: string;
  busy: boolean;
  onPick(path: string): void;
}

const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p;

export function SourcePicker({ samples, path, busy, onPick }: Props) {
  const [draft, setDraft] = useState(path);
  useEffect(() => setDraft(path), [path]);
  return (
    <section className="card">
      <h2>Choose your data</h2>
      {samples.length > 0 && (
        <div className="row" style={{ marginBottom: 12 }}>
          <span className="muted">Samples:</span>
          {samples.map((s) => (
            <button key={s.name} type="button" data-testid={`dataset-sample-${s.name}`} className={s.path === path ? 'primary' : ''} disabled={busy} onClick={() => onPick(s.path)}>
              {s.name} <span className="badge">{s.objective.toUpperCase()}</span> <span className="muted">{s.rows} rows</span>
            </button>
          ))}
        </div>
      )}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (draft.trim()) onPick(draft.trim());
        }}
      >
        <input
          data-testid="dataset-path"
          placeholder="/path/to/data.jsonl (also .json, .csv, .tsv, .parquet)"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          style={{ flex: 1, minWidth: 280 }}
          aria-label="Dataset file path"
        />
        <button type="submit" data-testid="dataset-check" disabled={busy || !draft.trim()}>
          Check file
        </button>
      </form>
      {path && <p className="muted" style={{ marginBottom: 0 }}>Reading {baseName(path)}. Hone only reads it: the normalised copy goes into its data folder.</p>}
    </section>
  );
}
