import { create } from 'zustand';
import { bridge, errorText } from '../bridge';
import type { Settings } from '../../../electron/shared/types/settings';

interface SettingsState {
  settings: Settings | null;
  error: string | null;
  load(): Promise<Settings | null>;
  save(patch: Partial<Settings>): Promise<void>;
}

export function applyTheme(theme: Settings['theme']): void {
  const dark = theme === 'dark' || (theme === 'system' && window.matchMedia?.('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

export const useSettings = create<SettingsState>((set) => ({
  settings: null,
  error: null,
  load: async () => {
    try {
      const settings = await bridge.invoke('settings.get');
      set({ settings, error: null });
      applyTheme(settings.theme);
      return settings;
    } catch (err) {
      set({ error: errorText(err).message });
      return null;
    }
  },
  save: async (patch) => {
    try {
      const settings = await bridge.invoke('settings.set', patch);
      set({ settings, error: null });
      applyTheme(settings.theme);
    } catch (err) {
      set({ error: errorText(err).message });
    }
  },
}));
