/**
 * The model catalogue, local folders the user added, and whether each model fits the current hardware
 * (the planner's answer for it, asked once per model whenever the hardware changes).
 */
import { create } from 'zustand';
import { bridge, errorText } from '../bridge';
import type { ModelSpec } from '../../../electron/shared/types/model';
import type { Plan } from '../../../electron/shared/types/plan';

export interface Fit {
  fits: boolean;
  method: Plan['method'];
  estimatedGb: number;
  device: Plan['device'];
}

interface CatalogState {
  models: ModelSpec[];
  /** Folders added with "Use a local folder", newest first. */
  local: ModelSpec[];
  fits: Record<string, Fit>;
  query: string;
  loading: boolean;
  error: { message: string; hint?: string } | null;
  load(): Promise<void>;
  setQuery(query: string): void;
  /** Plans every model against the current hardware; `key` drops answers for an older hardware. */
  computeFits(key: string): Promise<void>;
  inspectFolder(path: string): Promise<ModelSpec>;
}

let fitsKey = '';

export const useCatalog = create<CatalogState>((set, get) => ({
  models: [],
  local: [],
  fits: {},
  query: '',
  loading: false,
  error: null,
  load: async () => {
    if (get().models.length) return;
    set({ loading: true });
    try {
      set({ models: await bridge.invoke('catalog.list'), loading: false, error: null });
    } catch (err) {
      set({ loading: false, error: errorText(err) });
    }
  },
  setQuery: (query) => set({ query }),
  computeFits: async (key) => {
    fitsKey = key;
    const all = [...get().local, ...get().models];
    const answers = await Promise.allSettled(all.map((m) => bridge.invoke('plan.compute', { model: m.id })));
    if (key !== fitsKey) return;
    const fits: Record<string, Fit> = {};
    answers.forEach((a, i) => {
      if (a.status === 'fulfilled') fits[all[i].id] = { fits: a.value.fits, method: a.value.method, estimatedGb: a.value.estimated_vram_gb, device: a.value.device };
    });
    set({ fits });
  },
  inspectFolder: async (path) => {
    const spec = await bridge.invoke('catalog.inspectFolder', { path });
    set({ local: [spec, ...get().local.filter((m) => m.id !== spec.id)] });
    const plan = await bridge.invoke('plan.compute', { model: spec.id }).catch(() => null);
    if (plan) set({ fits: { ...get().fits, [spec.id]: { fits: plan.fits, method: plan.method, estimatedGb: plan.estimated_vram_gb, device: plan.device } } });
    return spec;
  },
}));
