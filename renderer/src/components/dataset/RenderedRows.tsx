/** Rows exactly as the trainer sees them, through the model's chat template; the trained part is highlighted. */
import type { RenderedRow } from '../../../../electron/shared/types/dataset';

export function RenderedRows({ rows, error, modelName }: { rows: RenderedRow[]; error: string | null; modelName: string | null }) {
  return (
    <section className="card" data-testid="dataset-rendered">
      <h2>What the model will see</h2>
      <p className="muted" style={{ marginTop: 0 }}>
        {modelName ? `${modelName}, rendered with the ${rows[0]?.template ?? ''} chat template.` : 'No model chosen yet: rendered with the ChatML template.'} <mark className="ds-train">Highlighted</mark> text is what the loss is computed on when training on responses only.
      </p>
      {error && <p className="error-box">{error}</p>}
      {rows.map((r, i) => (
        <div key={i} className="ds-rendered" data-testid="dataset-rendered-row">
          <div className="muted" style={{ fontSize: 12 }}>
            line {r.line}
            {r.variant ? ` · ${r.variant}` : ''} · {r.tokens.toLocaleString()} tokens
          </div>
          {r.error ? (
            <p className="error-box">{r.error}</p>
          ) : (
            <pre>
              {r.segments.map((s, k) =>
                s.train ? (
                  <mark key={k} className="ds-train" data-testid="dataset-train-segment">
                    {s.text}
                  </mark>
                ) : (
                  <span key={k}>{s.text}</span>
                ),
              )}
            </pre>
          )}
        </div>
      ))}
    </section>
  );
}
