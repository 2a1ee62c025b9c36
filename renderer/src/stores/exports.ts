/**
 * File exports in the renderer: per run, what each target can do (exports.targets), and per target the export
 * in flight, its progress ('exports.progress' events, keyed by run and target, so progress keeps showing after
 * a reconnect), its result or error. "Show in folder" answers with the path when there is no desktop to open it
 * on (headless): the panel then shows the path.
 */
import { create } from 'zustand';
import { bridge, errorText } from '../bridge';
import type { CardOptions, ExportTarget, ExportTargetInfo, FileExportProgress, FileExportResult, GgufQuantization } from '../../../electron/shared/types/exports';

export interface TargetRun {
  progress: FileExportProgress | null;
  result: FileExportResult | null;
  error: { message: string; hint?: string; code?: string } | null;
  running: boolean;
}

interface ExportsState {
  targets: Record<string, ExportTargetInfo[] | undefined>;
  loadError: Record<string, string | undefined>;
  runs: Record<string, TargetRun | undefined>;
  /** Paths "Show in folder" could not open here (headless), to show instead. */
  revealed: Record<string, boolean>;
  revealError: string | null;
  load(runId: string): Promise<void>;
  start(runId: string, target: ExportTarget, opts?: { quantize?: GgufQuantization; card?: CardOptions }): Promise<void>;
  reveal(path: string): Promise<void>;
}

export const runKey = (runId: string, target: ExportTarget) => `${runId}|${target}`;

export const useExports = create<ExportsState>((set, get) => {
  bridge.on('exports.progress', (p) => {
    const key = runKey(p.runId, p.target);
    const cur = get().runs[key] ?? { progress: null, result: null, error: null, running: true };
    set((s) => ({ runs: { ...s.runs, [key]: { ...cur, progress: p } } }));
  });

  return {
    targets: {},
    loadError: {},
    runs: {},
    revealed: {},
    revealError: null,
    load: async (runId) => {
      try {
        const targets = await bridge.invoke('exports.targets', { runId });
        set((s) => ({ targets: { ...s.targets, [runId]: targets }, loadError: { ...s.loadError, [runId]: undefined } }));
      } catch (err) {
        set((s) => ({ loadError: { ...s.loadError, [runId]: errorText(err).message } }));
      }
    },
    start: async (runId, target, opts = {}) => {
      const key = runKey(runId, target);
      set((s) => ({ runs: { ...s.runs, [key]: { progress: null, result: null, error: null, running: true } } }));
      const patch = (p: Partial<TargetRun>) => set((s) => ({ runs: { ...s.runs, [key]: { ...(s.runs[key] as TargetRun), ...p } } }));
      try {
        const result = await bridge.invoke('exports.start', { runId, target, ...(opts.quantize ? { quantize: opts.quantize } : {}), ...(opts.card ? { card: opts.card } : {}) });
        patch({ result, running: false });
      } catch (err) {
        patch({ error: errorText(err), running: false });
      }
      // Files made (the GGUF an LM Studio export made on the way too) show on every target.
      await get().load(runId);
    },
    reveal: async (path) => {
      try {
        const r = await bridge.invoke('exports.showInFolder', { path });
        set((s) => ({ revealed: { ...s.revealed, [path]: !r.shown }, revealError: null }));
      } catch (err) {
        set({ revealError: errorText(err).message });
      }
    },
  };
});
