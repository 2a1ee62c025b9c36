/** What the user tells the model card (front matter): licence, tags, datasets. Optional; Hone fills the rest from the run. */
import type { CardOptions } from '../../../../electron/shared/types/exports';

export interface CardDraft {
  license: string;
  tags: string;
  datasets: string;
}

const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

export function cardOptions(d: CardDraft): CardOptions {
  return { ...(d.license.trim() ? { license: d.license.trim() } : {}), tags: list(d.tags), datasets: list(d.datasets) };
}

export function CardFields({ value, onChange }: { value: CardDraft; onChange(v: CardDraft): void }) {
  return (
    <details className="export-card-fields" data-testid="export-card-fields">
      <summary>Model card details (optional)</summary>
      <div className="export-form">
        <label htmlFor="card-license">Licence</label>
        <input id="card-license" data-testid="card-license" placeholder="the base model's, e.g. apache-2.0" value={value.license} onChange={(e) => onChange({ ...value, license: e.target.value })} />
        <label htmlFor="card-tags">Tags</label>
        <input id="card-tags" data-testid="card-tags" placeholder="comma-separated, e.g. support, french" value={value.tags} onChange={(e) => onChange({ ...value, tags: e.target.value })} />
        <label htmlFor="card-datasets">Datasets</label>
        <input id="card-datasets" data-testid="card-datasets" placeholder="Hugging Face ids, e.g. acme/support-tickets" value={value.datasets} onChange={(e) => onChange({ ...value, datasets: e.target.value })} />
      </div>
      <p className="muted" style={{ marginBottom: 0 }}>
        The card lists the training settings and evaluation scores. It never includes your training data.
      </p>
    </details>
  );
}
