/** The Python environment's state, kept current by the core's runtime.* events (no polling). */
import { create } from 'zustand';
import { bridge, errorText } from '../bridge';
import type { RuntimeProgress, RuntimeStatus } from '../../../electron/shared/types/runtime';

interface RuntimeState {
  status: RuntimeStatus | null;
  progress: RuntimeProgress | null;
  error: { message: string; hint?: string } | null;
  load(): Promise<void>;
  install(force?: boolean): Promise<void>;
}

export const useRuntime = create<RuntimeState>((set) => {
  bridge.on('runtime.progress', (progress) => set({ progress }));
  bridge.on('runtime.status', (status) => set({ status }));
  return {
    status: null,
    progress: null,
    error: null,
    load: async () => {
      try {
        set({ status: await bridge.invoke('runtime.status'), error: null });
      } catch (err) {
        set({ error: errorText(err) });
      }
    },
    install: async (force) => {
      set({ error: null, progress: { stage: 'Starting', done: 0, total: null, unit: 'packages' } });
      try {
        set({ status: await bridge.invoke('runtime.install', { force }) });
      } catch (err) {
        set({ error: errorText(err) });
      }
    },
  };
});
