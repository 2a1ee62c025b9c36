/** System prompt and the two sampling knobs people reach for: reply length and temperature. */
import type { ChatOptions } from '../../../../electron/shared/types/ollama';

function num(text: string): number | undefined {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : undefined;
}

/** thinking: a chosen model can think (Ollama's "thinking" capability); only then is the toggle offered. */
export function ChatSettings(props: { system: string; options: ChatOptions; thinking: boolean; onSystem(s: string): void; onOptions(o: ChatOptions): void }) {
  return (
    <details className="chat-settings">
      <summary>System prompt and sampling</summary>
      <div className="row" style={{ alignItems: 'flex-start', marginTop: 8 }}>
        <textarea data-testid="chat-system" rows={2} style={{ flex: 1, minWidth: 240 }} placeholder="System prompt (optional; replaces the model's own)" value={props.system} onChange={(e) => props.onSystem(e.target.value)} />
        <label className="row">
          Max reply tokens
          <input data-testid="chat-max-tokens" type="number" min={1} style={{ width: 90 }} value={props.options.maxTokens ?? ''} onChange={(e) => props.onOptions({ ...props.options, maxTokens: num(e.target.value) })} />
        </label>
        {props.thinking && (
          <label className="row" title="Let a thinking model reason before it answers; the reasoning is shown apart from the answer. Off by default: a fine-tune answers as it was trained.">
            <input data-testid="chat-think" type="checkbox" checked={!!props.options.think} onChange={(e) => props.onOptions({ ...props.options, think: e.target.checked })} />
            Show thinking
          </label>
        )}
        <label className="row">
          Temperature
          <input data-testid="chat-temperature" type="number" min={0} max={2} step={0.1} style={{ width: 84 }} placeholder="default" value={props.options.temperature ?? ''} onChange={(e) => props.onOptions({ ...props.options, temperature: num(e.target.value) })} />
        </label>
      </div>
    </details>
  );
}
