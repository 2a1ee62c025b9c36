/**
 * Chat with any Ollama model; optionally side by side with a second one (by default the fine-tune's base,
 * when Ollama has it) so the user sees what the training changed. Streaming, stop, system prompt.
 */
import { useEffect, useState } from 'react';
import { bridge, errorText } from '../bridge';
import { useChat } from '../stores/chat';
import { useOllama } from '../stores/ollama';
import { useWizard } from '../stores/wizard';
import { OllamaStatusCard } from '../components/ollama/OllamaStatusCard';
import { ModelPicker } from '../components/chat/ModelPicker';
import { ChatPane } from '../components/chat/ChatPane';
import { ChatComposer } from '../components/chat/ChatComposer';
import { ChatSettings } from '../components/chat/ChatSettings';
import '../components/chat/chat.css';

/** The Ollama name of the base model the user fine-tuned, when Ollama has it (e.g. "llama3.2:1b"). */
function baseInOllama(base: string | null | undefined, models: { name: string }[]): string | null {
  if (!base) return null;
  const want = base.includes(':') ? base : `${base}:latest`;
  return models.find((m) => m.name === want)?.name ?? null;
}

export function ChatPage() {
  const chatModel = useWizard((s) => s.chatModel);
  const patchWizard = useWizard((s) => s.patch);
  const ollamaBase = useWizard((s) => s.model?.ollamaBase);
  const runId = useWizard((s) => s.runId);
  const [addingBase, setAddingBase] = useState(false);
  const [baseError, setBaseError] = useState<string | null>(null);
  const [madeBase, setMadeBase] = useState<string | null>(null);
  const status = useOllama((s) => s.status);
  const models = useOllama((s) => s.models);
  const checkStatus = useOllama((s) => s.checkStatus);
  const { panes, compare, system, options, setModel, setCompare, setSystem, setOptions, send, stop, clear } = useChat();
  const base = baseInOllama(ollamaBase, models) ?? (madeBase && models.some((m) => m.name === madeBase) ? madeBase : null);

  // The run's base, put into Ollama the way the run was sent (the demo's SmolLM2 is in no Ollama library here).
  const addBase = async () => {
    if (!runId) return;
    setAddingBase(true);
    setBaseError(null);
    try {
      const made = await bridge.invoke('eval.baseModel', { runId });
      await useOllama.getState().loadModels();
      setMadeBase(made.name);
      setModel(1, made.name);
    } catch (e) {
      const t = errorText(e);
      setBaseError(`${t.message}${t.hint ? ` ${t.hint}` : ''}`);
    } finally {
      setAddingBase(false);
    }
  };

  useEffect(() => {
    if (!useOllama.getState().status) void checkStatus();
    else void useOllama.getState().loadModels();
  }, [checkStatus]);
  // Arriving from "Chat with it" opens that model (once: later visits keep the user's own choice).
  useEffect(() => {
    if (!chatModel) return;
    setModel(0, chatModel);
    patchWizard({ chatModel: null });
  }, [chatModel, setModel, patchWizard]);
  useEffect(() => {
    if (compare && !panes[1].model && base) setModel(1, base);
  }, [compare, base, panes, setModel]);

  const streaming = panes.some((p) => p.requestId !== null);
  const ready = !!panes[0].model && (!compare || !!panes[1].model);

  return (
    <div className="chat" data-testid="chat-page">
      {status && !status.running && <OllamaStatusCard />}
      <div className="chat-toolbar">
        <ModelPicker id="chat-model" testId="chat-model" label={compare ? 'Left' : 'Model'} models={models} value={panes[0].model} onChange={(m) => setModel(0, m)} />
        <label className="row">
          <input type="checkbox" data-testid="chat-compare" checked={compare} onChange={(e) => setCompare(e.target.checked)} />
          Side by side
        </label>
        {compare && <ModelPicker id="chat-compare-model" testId="chat-compare-model" label="Right" models={models} value={panes[1].model} onChange={(m) => setModel(1, m)} />}
        {compare && !base && runId && (
          <button type="button" data-testid="chat-add-base" disabled={addingBase} onClick={() => void addBase()}>
            {addingBase ? 'Putting the base model in Ollama…' : 'Compare with the base model'}
          </button>
        )}
        {compare && !base && !runId && ollamaBase && (
          <span className="muted">
            Base model not in Ollama: <code>ollama pull {ollamaBase}</code> to compare with it.
          </span>
        )}
        {baseError && (
          <span className="banner error" role="alert" data-testid="chat-base-error">
            {baseError}
          </span>
        )}
      </div>
      {status?.running && !models.length && <p className="banner info">Ollama has no models yet. Send a finished run to it from the Export step.</p>}
      <ChatSettings system={system} options={options} thinking={panes.some((p, i) => (i === 0 || compare) && p.capabilities?.includes('thinking'))} onSystem={setSystem} onOptions={setOptions} />
      <div className={`chat-panes${compare ? ' compare' : ''}`}>
        <ChatPane pane={panes[0]} maxTokens={options.maxTokens} title={compare ? (panes[0].model ?? 'Left') : undefined} />
        {compare && <ChatPane pane={panes[1]} maxTokens={options.maxTokens} title={panes[1].model ? `${panes[1].model}${panes[1].model === base ? ' (base)' : ''}` : 'Right'} />}
      </div>
      <ChatComposer disabled={!ready} streaming={streaming} onSend={send} onStop={stop} onClear={clear} />
    </div>
  );
}
