import { create } from 'zustand';
import { bridge, errorText } from '../bridge';
import type { Settings } from '../../../electron/shared/types/settings';
import type { SettingsPatch } from '../../../electron/shared/params';

interface SettingsState {
  settings: Settings | null;
  error: string | null;
  load(): Promise<Settings | null>;
  /** false when the core refused it (the reason is in `error`). */
  save(patch: SettingsPatch): Promise<boolean>;
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
      return true;
    } catch (err) {
      const e = errorText(err);
      set({ error: e.hint ? `${e.message} ${e.hint}` : e.message });
      return false;
    }
  },
}));
