/**
 * Ollama in the renderer: its status, its models, and the export in flight per run. Progress comes from
 * 'ollama.progress' events keyed by runId, so an export keeps showing (and finishes) even if the page
 * reconnected while the send request was pending.
 */
import { create } from 'zustand';
import { bridge, errorText } from '../bridge';
import type { ExportProgress, OllamaModelInfo, OllamaStatus, SendToOllamaRequest } from '../../../electron/shared/types/ollama';

export interface ExportState {
  request: SendToOllamaRequest;
  progress: ExportProgress | null;
  /** Set when Ollama has the model. */
  done: { name: string; digest: string | null } | null;
  error: { message: string; hint?: string; code?: string } | null;
  sending: boolean;
}

interface OllamaState {
  status: OllamaStatus | null;
  checking: boolean;
  models: OllamaModelInfo[];
  exports: Record<string, ExportState>;
  checkStatus(): Promise<OllamaStatus | null>;
  loadModels(): Promise<void>;
  send(request: SendToOllamaRequest): Promise<void>;
  clearExport(runId: string): void;
}

/** Ollama lists "name" as "name:latest": the canonical form for comparisons. */
export function canonicalName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1).includes(':') ? name : `${name}:latest`;
}

export const useOllama = create<OllamaState>((set, get) => {
  bridge.on('ollama.progress', (p) => {
    const cur = get().exports[p.runId];
    if (!cur) return;
    const done = p.stage === 'done' ? (cur.done ?? { name: canonicalName(cur.request.name), digest: null }) : cur.done;
    set((s) => ({ exports: { ...s.exports, [p.runId]: { ...cur, progress: p, done, ...(done ? { error: null, sending: false } : {}) } } }));
    if (p.stage === 'done') void get().loadModels();
  });
  const patchExport = (runId: string, patch: Partial<ExportState>) =>
    set((s) => (s.exports[runId] ? { exports: { ...s.exports, [runId]: { ...s.exports[runId], ...patch } } } : {}));

  return {
    status: null,
    checking: false,
    models: [],
    exports: {},
    checkStatus: async () => {
      set({ checking: true });
      try {
        const status = await bridge.invoke('ollama.status');
        set({ status });
        if (status.running) await get().loadModels();
        return status;
      } catch (err) {
        set({ status: { running: false, host: '', version: null, hint: errorText(err).message } });
        return null;
      } finally {
        set({ checking: false });
      }
    },
    loadModels: async () => {
      try {
        set({ models: await bridge.invoke('ollama.list') });
      } catch {
        set({ models: [] });
      }
    },
    send: async (request) => {
      set((s) => ({ exports: { ...s.exports, [request.runId]: { request, progress: null, done: null, error: null, sending: true } } }));
      try {
        const r = await bridge.invoke('ollama.send', request);
        patchExport(request.runId, { done: { name: r.name, digest: r.digest }, sending: false });
      } catch (err) {
        // A dropped connection rejects the request, but the core carries on: a later 'done' event still lands.
        patchExport(request.runId, { error: errorText(err), sending: false });
      }
    },
    clearExport: (runId) =>
      set((s) => {
        const { [runId]: _gone, ...rest } = s.exports;
        return { exports: rest };
      }),
  };
});
