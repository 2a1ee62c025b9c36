/**
 * One download per repo at a time: a second request for the same repo joins the first, and
 * cancelDownload aborts it (the .part files stay, so the next download resumes).
 */
import type { CoreContext } from '../context';
import type { RepoPlan } from '../../shared/model-repo';
import { downloadRepo, type DownloadDeps, type DownloadResult } from './downloader';
import { hubEndpoint } from './hub';
import { resolveModel } from './resolve';
import { hubToken } from './token';

export interface DownloadCall {
  /** A token for this download only (the CLI's --token-stdin); else the saved one. */
  token?: string | null;
  plan?: RepoPlan | null;
}

export type ManagedResult = DownloadResult | { repo: null; path: string; alreadyComplete: true; sizeBytes: null; files: null; revision: null };

export class DownloadManager {
  private readonly active = new Map<string, { promise: Promise<DownloadResult>; controller: AbortController }>();

  constructor(
    private readonly ctx: CoreContext,
    private readonly deps: DownloadDeps = {},
  ) {
    ctx.onClose(() => this.cancelAll());
  }

  async download(model: string, call: DownloadCall = {}): Promise<ManagedResult> {
    const target = resolveModel(this.ctx, model, call.plan ?? null);
    // A local folder needs no network: that is how Hone works offline.
    if (target.kind === 'local') return { repo: null, path: target.path, alreadyComplete: true, sizeBytes: null, files: null, revision: null };
    const running = this.active.get(target.repo);
    if (running) return running.promise;
    const controller = new AbortController();
    const repo = target.repo;
    // Registered before the first await, so a second request arriving meanwhile joins this one.
    const promise = (async () => {
      const token = call.token !== undefined ? call.token : await hubToken(this.ctx);
      return downloadRepo(
        {
          repo,
          dataDir: this.ctx.paths.dataDir,
          endpoint: hubEndpoint(this.ctx.env),
          token,
          signal: controller.signal,
          onProgress: (p) => this.ctx.bus.emit('models.progress', { ...p, model: repo }),
        },
        this.deps,
      );
    })().finally(() => this.active.delete(repo));
    this.active.set(repo, { promise, controller });
    return promise;
  }

  cancel(model: string): boolean {
    let repo: string;
    try {
      const t = resolveModel(this.ctx, model);
      if (t.kind === 'local') return false;
      repo = t.repo;
    } catch {
      repo = model;
    }
    const running = this.active.get(repo);
    running?.controller.abort();
    return running !== undefined;
  }

  private async cancelAll(): Promise<void> {
    const all = [...this.active.values()];
    for (const a of all) a.controller.abort();
    await Promise.allSettled(all.map((a) => a.promise));
  }
}

const managers = new WeakMap<CoreContext, DownloadManager>();

/** The context's manager; deps (a test's retry delay, free-space figure) apply when it is first made. */
export function downloadsFor(ctx: CoreContext, deps?: DownloadDeps): DownloadManager {
  let m = managers.get(ctx);
  if (!m) managers.set(ctx, (m = new DownloadManager(ctx, deps)));
  return m;
}
