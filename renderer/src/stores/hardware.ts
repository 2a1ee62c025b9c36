/** The machine as the core sees it, kept current by 'hardware.changed' (no polling). */
import { create } from 'zustand';
import { bridge, errorText } from '../bridge';
import type { Hardware } from '../../../electron/shared/types/hardware';
import { useWizard } from './wizard';

interface HardwareState {
  hardware: Hardware | null;
  loading: boolean;
  error: { message: string; hint?: string } | null;
  load(refresh?: boolean): Promise<void>;
  selectGpu(index: number): Promise<void>;
  /** Several cards to train on together (issue #15); one index is selectGpu. */
  selectGpus(indices: number[]): Promise<void>;
}

export const useHardware = create<HardwareState>((set) => {
  const apply = (hardware: Hardware) => {
    set({ hardware, loading: false, error: null });
    // The other steps read the hardware from the wizard's state.
    useWizard.getState().patch({ hardware });
  };
  bridge.on('hardware.changed', apply);
  return {
    hardware: null,
    loading: false,
    error: null,
    load: async (refresh = false) => {
      set({ loading: true });
      try {
        apply(await bridge.invoke('hardware.get', { refresh }));
      } catch (err) {
        set({ loading: false, error: errorText(err) });
      }
    },
    selectGpu: async (index) => {
      try {
        apply(await bridge.invoke('hardware.selectGpu', { index }));
      } catch (err) {
        set({ error: errorText(err) });
      }
    },
    selectGpus: async (indices) => {
      try {
        apply(await bridge.invoke('hardware.selectGpus', { indices }));
      } catch (err) {
        set({ error: errorText(err) });
      }
    },
  };
});
