/**
 * The Dataset step's working state: which file, what the core made of it (report, rendered rows), the
 * user's overrides and decisions, and the import. Progress arrives on 'datasets.progress' (no polling);
 * a newer request makes an older one's answer stale, which `seq` drops.
 */
import { create } from 'zustand';
import { bridge, errorText } from '../bridge';
import type { ColumnMapping, DatasetFormat, DatasetReport, ImportedDataset, RenderedRow } from '../../../electron/shared/types/dataset';
import type { Progress } from '../../../electron/shared/types/progress';

export interface Sample {
  name: string;
  path: string;
  objective: 'sft' | 'dpo';
  rows: number;
  demo?: boolean;
  evalPath?: string;
}

interface DatasetState {
  samples: Sample[];
  path: string;
  /** null = auto-detect. */
  format: DatasetFormat | null;
  mapping: ColumnMapping;
  maxSeqLength: number;
  badRows: 'skip' | 'stop';
  evalPercent: number;
  /** A separate evaluation file instead of a share of this one ('' = none). */
  evalPath: string;
  report: DatasetReport | null;
  rendered: RenderedRow[];
  renderError: string | null;
  progress: Progress | null;
  busy: 'inspect' | 'import' | null;
  error: { message: string; hint?: string } | null;
  imported: ImportedDataset | null;
  loadSamples(): Promise<void>;
  set(p: Partial<Pick<DatasetState, 'path' | 'format' | 'mapping' | 'maxSeqLength' | 'badRows' | 'evalPercent' | 'evalPath'>>): void;
  inspect(model: string | null): Promise<void>;
  importNow(model: string | null): Promise<ImportedDataset | null>;
}

let seq = 0;

export const useDataset = create<DatasetState>((set, get) => {
  bridge.on('datasets.progress', (p) => {
    if (get().busy && p.path === get().path) set({ progress: p });
  });
  const params = (model: string | null) => {
    const s = get();
    return { path: s.path, format: s.format ?? undefined, mapping: Object.keys(s.mapping).length ? s.mapping : undefined, model: model ?? undefined, maxSeqLength: s.maxSeqLength };
  };
  return {
    samples: [],
    path: '',
    format: null,
    mapping: {},
    maxSeqLength: 2048,
    badRows: 'skip',
    evalPercent: 5,
    evalPath: '',
    report: null,
    rendered: [],
    renderError: null,
    progress: null,
    busy: null,
    error: null,
    imported: null,
    loadSamples: async () => {
      try {
        set({ samples: await bridge.invoke('datasets.samples') });
      } catch (err) {
        set({ error: errorText(err) });
      }
    },
    // Any change to what is read or how invalidates the last import; another file, the last report too.
    set: (p) => {
      const s = get();
      const changed = (Object.keys(p) as (keyof typeof p)[]).some((k) => JSON.stringify(p[k]) !== JSON.stringify(s[k]));
      if (!changed) return;
      set({ ...p, imported: null, ...(p.path !== undefined && p.path !== s.path ? { report: null, rendered: [], error: null } : {}) });
    },
    inspect: async (model) => {
      const mine = ++seq;
      const p = params(model);
      if (!p.path.trim()) return;
      set({ busy: 'inspect', progress: null, error: null, imported: null, renderError: null });
      try {
        const report = await bridge.invoke('datasets.inspect', p);
        if (mine !== seq) return;
        set({ report, busy: null });
        const { maxSeqLength: _unused, ...source } = p; // render takes no length (the core refuses unknown keys)
        const rendered = await bridge.invoke('datasets.render', { ...source, model: p.model ?? 'chatml', rows: 3 }).catch((err: unknown) => {
          if (mine === seq) set({ renderError: errorText(err).message });
          return [];
        });
        if (mine === seq) set({ rendered });
      } catch (err) {
        if (mine === seq) set({ busy: null, report: null, rendered: [], error: errorText(err) });
      }
    },
    importNow: async (model) => {
      const mine = ++seq;
      const s = get();
      set({ busy: 'import', progress: null, error: null });
      try {
        const imported = await bridge.invoke('datasets.import', { ...params(model), badRows: s.badRows, evalPercent: s.evalPercent, evalPath: s.evalPath.trim() || null, seed: 42 });
        if (mine === seq) set({ imported, busy: null });
        return imported;
      } catch (err) {
        if (mine === seq) set({ busy: null, error: errorText(err) });
        return null;
      }
    },
  };
});
