/**
 * The chat panel: one or two panes (a fine-tune and, side by side, its base) answering the same prompts.
 * Each pane keeps its own conversation so each model sees its own replies. Tokens arrive as 'ollama.chat'
 * events tagged with the pane's requestId; the request's result (the whole reply) settles the text.
 */
import { create } from 'zustand';
import { bridge, errorText } from '../bridge';
import type { ChatMessage, ChatOptions } from '../../../electron/shared/types/ollama';

export interface PaneMessage extends ChatMessage {
  id: number;
  /** A thinking model's reasoning, kept apart from the answer (never sent back as history). */
  thinking?: string;
  /** How the reply ended: "length" means it hit the reply length limit. */
  doneReason?: string | null;
}

export interface Pane {
  model: string | null;
  messages: PaneMessage[];
  /** Set while a reply streams. */
  requestId: string | null;
  /** The model's capabilities from Ollama ("thinking", "tools", ...); null until known. */
  capabilities: string[] | null;
  error: { message: string; hint?: string } | null;
}

interface ChatState {
  panes: [Pane, Pane];
  compare: boolean;
  system: string;
  options: ChatOptions;
  setModel(pane: 0 | 1, model: string | null): void;
  setCompare(on: boolean): void;
  setSystem(system: string): void;
  setOptions(options: ChatOptions): void;
  send(prompt: string): void;
  stop(): void;
  clear(): void;
}

let nextId = 1;
const newRequestId = () => `chat-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const emptyPane = (model: string | null = null): Pane => ({ model, messages: [], requestId: null, capabilities: null, error: null });

export const useChat = create<ChatState>((set, get) => {
  const updatePane = (i: 0 | 1, fn: (p: Pane) => Pane) =>
    set((s) => {
      const panes = [...s.panes] as [Pane, Pane];
      panes[i] = fn(panes[i]);
      return { panes };
    });
  /** Updates the pane's last (assistant) message. */
  const setReply = (p: Pane, patch: (old: PaneMessage) => Partial<PaneMessage>): Pane => {
    const messages = [...p.messages];
    const last = messages[messages.length - 1];
    if (last?.role === 'assistant') messages[messages.length - 1] = { ...last, ...patch(last) };
    return { ...p, messages };
  };
  const loadCapabilities = async (i: 0 | 1, model: string) => {
    try {
      const { capabilities } = await bridge.invoke('ollama.show', { model });
      updatePane(i, (p) => (p.model === model ? { ...p, capabilities } : p));
    } catch {
      updatePane(i, (p) => (p.model === model ? { ...p, capabilities: [] } : p));
    }
  };

  bridge.on('ollama.chat', (chunk) => {
    const i = get().panes.findIndex((p) => p.requestId === chunk.requestId);
    if (i < 0) return;
    updatePane(i as 0 | 1, (p) => {
      const next =
        chunk.content || chunk.thinking || chunk.doneReason
          ? setReply(p, (old) => ({ content: old.content + chunk.content, thinking: (old.thinking ?? '') + (chunk.thinking ?? ''), ...(chunk.doneReason ? { doneReason: chunk.doneReason } : {}) }))
          : p;
      return chunk.error ? { ...next, error: { message: chunk.error } } : next;
    });
  });

  const ask = async (i: 0 | 1) => {
    const pane = get().panes[i];
    if (!pane.model) return;
    const requestId = newRequestId();
    const history = pane.messages.map(({ role, content }) => ({ role, content }));
    // The same messages go to both panes: with no system prompt typed, each model uses its own (the fine-tune's
    // is the one it was trained with), and a typed one replaces it in both alike.
    const system = get().system.trim();
    const { think, ...rest } = get().options;
    const options = { ...rest, think: !!think && (pane.capabilities ?? []).includes('thinking') };
    updatePane(i, (p) => ({ ...p, requestId, error: null, messages: [...p.messages, { id: nextId++, role: 'assistant', content: '' }] }));
    try {
      const reply = await bridge.invoke('ollama.chat', {
        requestId,
        model: pane.model,
        messages: system ? [{ role: 'system', content: system }, ...history] : history,
        options,
      });
      updatePane(i, (p) => (p.requestId === requestId ? { ...setReply(p, () => ({ content: reply.content, thinking: reply.thinking, doneReason: reply.doneReason })), requestId: null } : p));
    } catch (err) {
      updatePane(i, (p) => (p.requestId === requestId ? { ...p, requestId: null, error: errorText(err) } : p));
    }
  };

  return {
    panes: [emptyPane(), emptyPane()],
    compare: false,
    system: '',
    options: { maxTokens: 512 },
    setModel: (i, model) => {
      if (get().panes[i].model === model) return;
      updatePane(i, () => emptyPane(model));
      if (model) void loadCapabilities(i, model);
    },
    setCompare: (compare) => set({ compare }),
    setSystem: (system) => set({ system }),
    setOptions: (options) => set({ options }),
    send: (prompt) => {
      const text = prompt.trim();
      if (!text) return;
      const active: (0 | 1)[] = get().compare ? [0, 1] : [0];
      for (const i of active) {
        if (!get().panes[i].model || get().panes[i].requestId) continue;
        updatePane(i, (p) => ({ ...p, messages: [...p.messages, { id: nextId++, role: 'user', content: text }] }));
        void ask(i);
      }
    },
    stop: () => {
      for (const p of get().panes) if (p.requestId) void bridge.invoke('ollama.chatStop', { requestId: p.requestId });
    },
    clear: () => set((s) => ({ panes: [emptyPane(s.panes[0].model), emptyPane(s.panes[1].model)] })),
  };
});
