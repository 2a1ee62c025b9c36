/**
 * Model downloads from the Hugging Face Hub, keyed by repo id: what is on this machine (models.local: the
 * Hugging Face cache included), what is downloading (models.progress events, no polling), whether the Hub has
 * a newer commit of a finished download, and which token is in use (never the token).
 */
import { create } from 'zustand';
import { bridge, errorText } from '../bridge';
import type { Progress } from '../../../electron/shared/types/progress';
import type { LocalModelInfo, TokenStatus, UpdateCheck } from '../../../electron/shared/types/model-storage';

type ErrorText = ReturnType<typeof errorText>;

export type { TokenStatus };

interface DownloadsState {
  local: Record<string, LocalModelInfo>;
  progress: Record<string, Progress>;
  active: Record<string, boolean>;
  errors: Record<string, ErrorText | undefined>;
  /** A finished download compared with the Hub; absent until checked (and offline). */
  updates: Record<string, UpdateCheck | undefined>;
  token: TokenStatus | null;
  tokenError: ErrorText | null;
  load(): Promise<void>;
  download(repo: string, opts?: { revision?: string | null; update?: boolean }): Promise<void>;
  cancel(repo: string): Promise<void>;
  /** Asks the Hub whether a finished download is current; offline it quietly has no answer. */
  checkUpdate(repo: string): Promise<void>;
  /** Returns whether it was saved. */
  setToken(token: string | null): Promise<boolean>;
}

export const useDownloads = create<DownloadsState>((set) => {
  // One repo's entry in one of the per-repo maps, leaving the other repos as they are.
  const patch = <K extends 'progress' | 'active' | 'errors' | 'updates'>(key: K, repo: string, value: DownloadsState[K][string]) =>
    set((s) => {
      const next: Partial<DownloadsState> = {};
      next[key] = { ...s[key], [repo]: value };
      return next;
    });

  const refreshLocal = async () => {
    const list = await bridge.invoke('models.local');
    set({ local: Object.fromEntries(list.map((l) => [l.model, l])) });
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
    updates: {},
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
    download: async (repo, opts = {}) => {
      patch('errors', repo, undefined);
      patch('active', repo, true);
      try {
        await bridge.invoke('models.download', { model: repo, ...(opts.revision !== undefined ? { revision: opts.revision } : {}), ...(opts.update ? { update: true } : {}) });
        patch('updates', repo, undefined);
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
    checkUpdate: async (repo) => {
      try {
        patch('updates', repo, await bridge.invoke('models.checkUpdate', { model: repo }));
      } catch {
        // Offline or the Hub is busy: the download that is here is what trains; nothing to say.
      }
    },
    setToken: async (token) => {
      try {
        set({ token: await bridge.invoke('models.setToken', { token }), tokenError: null });
        return true;
      } catch (err) {
        set({ tokenError: errorText(err) });
        return false;
      }
    },
  };
});

/** Where the token in use comes from, in words (never the token). */
export function tokenSourceText(t: TokenStatus | null): string {
  if (!t?.source) return '';
  if (t.source === 'saved') return 'the token saved in Hone';
  if (t.source === 'file') return `your \`hf auth login\` token (${t.path ?? 'the Hugging Face token file'})`;
  return `the ${t.source} environment variable`;
}
