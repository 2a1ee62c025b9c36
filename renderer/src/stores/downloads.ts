/**
 * Model downloads from the Hugging Face Hub, keyed by repo id: what is on disk (models.local), what is
 * downloading (models.progress events, no polling), and whether a Hub token is saved (never the token).
 */
import { create } from 'zustand';
import { bridge, errorText } from '../bridge';
import type { Progress } from '../../../electron/shared/types/progress';

type ErrorText = ReturnType<typeof errorText>;

export interface TokenStatus {
  hasToken: boolean;
  storage: 'safeStorage' | 'file';
}

interface DownloadsState {
  local: Record<string, { path: string; sizeBytes: number }>;
  progress: Record<string, Progress>;
  active: Record<string, boolean>;
  errors: Record<string, ErrorText | undefined>;
  token: TokenStatus | null;
  tokenError: ErrorText | null;
  load(): Promise<void>;
  download(repo: string): Promise<void>;
  cancel(repo: string): Promise<void>;
  /** Returns whether it was saved. */
  setToken(token: string | null): Promise<boolean>;
}

export const useDownloads = create<DownloadsState>((set, get) => {
  // One repo's entry in one of the per-repo maps, leaving the other repos as they are.
  const patch = <K extends 'progress' | 'active' | 'errors'>(key: K, repo: string, value: DownloadsState[K][string]) =>
    set((s) => {
      const next: Partial<DownloadsState> = {};
      next[key] = { ...s[key], [repo]: value };
      return next;
    });

  const refreshLocal = async () => {
    const list = await bridge.invoke('models.local');
    set({ local: Object.fromEntries(list.map((l) => [l.model, { path: l.path, sizeBytes: l.sizeBytes }])) });
  };

  // A download started elsewhere (the CLI shares no process, but another window does) shows up too.
  bridge.on('models.progress', ({ model, ...p }) => {
    patch('progress', model, p);
    const finished = p.stage === 'Downloaded';
    patch('active', model, !finished);
    if (finished) void refreshLocal();
  });

  return {
    local: {},
    progress: {},
    active: {},
    errors: {},
    token: null,
    tokenError: null,
    load: async () => {
      try {
        const [token] = await Promise.all([bridge.invoke('models.tokenStatus'), refreshLocal()]);
        set({ token });
      } catch (err) {
        set({ tokenError: errorText(err) });
      }
    },
    download: async (repo) => {
      patch('errors', repo, undefined);
      patch('active', repo, true);
      try {
        await bridge.invoke('models.download', { model: repo });
        await refreshLocal();
      } catch (err) {
        patch('errors', repo, errorText(err));
      } finally {
        patch('active', repo, false);
      }
    },
    cancel: async (repo) => {
      await bridge.invoke('models.cancelDownload', { model: repo });
    },
    setToken: async (token) => {
      try {
        const { hasToken } = await bridge.invoke('models.setToken', { token });
        set({ token: { storage: get().token?.storage ?? 'file', hasToken }, tokenError: null });
        return true;
      } catch (err) {
        set({ tokenError: errorText(err) });
        return false;
      }
    },
  };
});
