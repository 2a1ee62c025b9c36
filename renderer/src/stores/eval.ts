/**
 * Evaluations in the renderer: each run's newest record (eval.get) and the live progress of a running one
 * ('eval.progress'). When an evaluation or its Ollama leg ends, the record is fetched again.
 */
import { create } from 'zustand';
import { bridge, errorText } from '../bridge';
import type { EvalProgress, EvalRecord } from '../../../electron/shared/types/eval';

type Problem = { message: string; hint?: string } | null;

interface EvalState {
  records: Record<string, EvalRecord | null>;
  live: Record<string, EvalProgress | null>;
  errors: Record<string, Problem>;
  busy: Record<string, boolean>;
  load(runId: string): Promise<void>;
  start(runId: string, opts?: { data?: string | null; limit?: number }): Promise<void>;
  stop(runId: string): Promise<void>;
  ollama(runId: string): Promise<void>;
  exportReport(runId: string, format: 'html' | 'markdown'): Promise<void>;
}

let subscribed = false;

export const useEval = create<EvalState>((set, get) => {
  const setFor = <K extends 'records' | 'live' | 'errors' | 'busy'>(key: K, runId: string, value: EvalState[K][string]) => set((s) => ({ [key]: { ...s[key], [runId]: value } }) as Partial<EvalState>);
  const attempt = async (runId: string, fn: () => Promise<void>) => {
    setFor('errors', runId, null);
    setFor('busy', runId, true);
    try {
      await fn();
    } catch (err) {
      setFor('errors', runId, errorText(err));
    } finally {
      setFor('busy', runId, false);
    }
  };
  const subscribe = () => {
    if (subscribed) return;
    subscribed = true;
    bridge.on('eval.progress', (p) => {
      setFor('live', p.runId, p.status === 'running' ? p : null);
      if (p.status !== 'running') {
        if (p.error && p.status === 'failed') setFor('errors', p.runId, p.error);
        void get().load(p.runId);
      }
    });
  };
  return {
    records: {},
    live: {},
    errors: {},
    busy: {},
    load: async (runId) => {
      subscribe();
      try {
        const rec = await bridge.invoke('eval.get', { runId });
        setFor('records', runId, rec);
        if (rec?.status === 'running' && rec.progress && !get().live[runId]) setFor('live', runId, { ...rec.progress, runId, evalId: rec.id, status: 'running' });
      } catch (err) {
        setFor('errors', runId, errorText(err));
      }
    },
    start: (runId, opts = {}) =>
      attempt(runId, async () => {
        subscribe();
        const rec = await bridge.invoke('eval.start', { runId, data: opts.data ?? null, ...(opts.limit ? { limit: opts.limit } : {}) });
        setFor('records', runId, rec);
        setFor('live', runId, { stage: 'starting', done: 0, total: null, unit: 'step', runId, evalId: rec.id, status: 'running' });
      }),
    stop: (runId) => attempt(runId, async () => void (await bridge.invoke('eval.stop', { runId }))),
    ollama: (runId) =>
      attempt(runId, async () => {
        subscribe();
        setFor('records', runId, await bridge.invoke('eval.ollama', { runId }));
      }),
    exportReport: (runId, format) =>
      attempt(runId, async () => {
        const file = await bridge.invoke('eval.export', { runId, format });
        const url = URL.createObjectURL(new Blob([file.content], { type: `${file.mime};charset=utf-8` }));
        const a = document.createElement('a');
        a.href = url;
        a.download = file.filename;
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      }),
  };
});
