/**
 * Name (checked as it is typed, with Ollama's rules), quantisation, optional system prompt, Send. A name that
 * already exists in Ollama is flagged before sending; the core's MODEL_EXISTS answer leads to a confirmation
 * that resends with overwrite.
 */
import { useMemo, useState } from 'react';
import { checkModelName } from '../../../../electron/shared/ollama-names';
import type { Quantization } from '../../../../electron/shared/types/ollama';
import { canonicalName, useOllama } from '../../stores/ollama';

const QUANTS: { id: Quantization; label: string; bytesPerParam: number }[] = [
  { id: 'q4_K_M', label: 'q4_K_M: smallest and fastest, slight quality loss (recommended)', bytesPerParam: 0.6 },
  { id: 'q8_0', label: 'q8_0: about twice the size, nearly lossless', bytesPerParam: 1.07 },
  { id: 'f16', label: 'f16: full 16-bit weights, largest', bytesPerParam: 2 },
];

function sizeText(paramsB: number | null | undefined, bytesPerParam: number): string {
  if (!paramsB) return '';
  const gb = paramsB * bytesPerParam;
  return gb >= 1 ? `≈ ${gb.toFixed(1)} GB` : `≈ ${Math.max(1, Math.round(gb * 1024))} MB`;
}

export interface ExportFormValue {
  name: string;
  quantize: Quantization;
  system: string;
}

export function ExportForm(props: { initial: ExportFormValue; paramsB?: number | null; disabled: boolean; onSend(v: ExportFormValue, overwrite: boolean): void; confirmOverwrite: boolean; onCancelOverwrite(): void }) {
  // Re-mounted with the last request's values after a MODEL_EXISTS answer, so "Replace" resends the same thing.
  const [name, setName] = useState(props.initial.name);
  const [quantize, setQuantize] = useState<Quantization>(props.initial.quantize);
  const [system, setSystem] = useState(props.initial.system);
  const models = useOllama((s) => s.models);
  const check = useMemo(() => checkModelName(name), [name]);
  const exists = check.ok && models.some((m) => m.name.toLowerCase() === canonicalName(name).toLowerCase());
  const value = { name, quantize, system };

  return (
    <section className="card">
      <h2>Send to Ollama</h2>
      <div className="export-form">
        <label htmlFor="export-name">Model name</label>
        <div>
          <input id="export-name" data-testid="export-name" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={!check.ok} spellCheck={false} style={{ width: '100%' }} />
          {!check.ok && (
            <div className="error-box" data-testid="export-name-error">
              {check.reason}
            </div>
          )}
          {exists && (
            <div className="muted" data-testid="export-name-exists">
              Ollama already has {canonicalName(name)}: sending replaces it (you will be asked).
            </div>
          )}
        </div>
        <label htmlFor="export-quantize">Quantisation</label>
        <select id="export-quantize" data-testid="export-quantize" value={quantize} onChange={(e) => setQuantize(e.target.value as Quantization)}>
          {QUANTS.map((q) => (
            <option key={q.id} value={q.id}>
              {q.label} {sizeText(props.paramsB, q.bytesPerParam)}
            </option>
          ))}
        </select>
        <label htmlFor="export-system">System prompt</label>
        <textarea id="export-system" data-testid="export-system" rows={2} placeholder="Optional: how the model should behave by default" value={system} onChange={(e) => setSystem(e.target.value)} />
      </div>
      {props.confirmOverwrite ? (
        <div className="banner warning row" data-testid="export-overwrite">
          <span>
            Ollama already has <strong>{canonicalName(name)}</strong>. Replace it?
          </span>
          <button type="button" className="primary" data-testid="export-overwrite-confirm" onClick={() => props.onSend(value, true)}>
            Replace
          </button>
          <button type="button" onClick={props.onCancelOverwrite}>
            Keep it
          </button>
        </div>
      ) : (
        <div className="row" style={{ marginTop: 12 }}>
          <button type="button" className="primary" data-testid="export-send" disabled={props.disabled || !check.ok} onClick={() => props.onSend(value, false)}>
            Send to Ollama
          </button>
        </div>
      )}
    </section>
  );
}
