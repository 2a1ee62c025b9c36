/** A select over the models Ollama has (ollama.list), keeping a chosen model visible even before the list arrives. */
import type { OllamaModelInfo } from '../../../../electron/shared/types/ollama';

function size(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.max(1, Math.round(bytes / 1024 ** 2))} MB`;
}

export function ModelPicker(props: { id: string; testId: string; label: string; models: OllamaModelInfo[]; value: string | null; onChange(name: string | null): void }) {
  const known = props.models.some((m) => m.name === props.value);
  return (
    <label className="row" htmlFor={props.id}>
      <span>{props.label}</span>
      <select id={props.id} data-testid={props.testId} value={props.value ?? ''} onChange={(e) => props.onChange(e.target.value || null)}>
        <option value="">Choose a model…</option>
        {props.value && !known && <option value={props.value}>{props.value}</option>}
        {props.models.map((m) => (
          <option key={m.name} value={m.name}>
            {m.name} ({size(m.size)})
          </option>
        ))}
      </select>
    </label>
  );
}
