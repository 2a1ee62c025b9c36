/**
 * One download per repo at a time: a second request for the same repo joins the first, and
 * cancelDownload aborts it (the partial files stay, so the next download resumes). A copy already on this
 * machine (the Hugging Face cache, the models folder, Hone's older folder) is used without a request.
 */
import { HoneError } from '../../shared/errors';
import type { RepoPlan } from '../../shared/model-repo';
import type { CoreContext } from '../context';
import { checkRevision } from './hf-cache';
import { downloadRepo, type DownloadDeps, type DownloadResult } from './downloader';
import { hubFetch, networkFor, type HubSession } from './http';
import { downloadTarget, findDownloaded, pinnedRevision, setPinnedRevision } from './local';
import { resolveModel } from './resolve';
import { hubTokenInUse, tokenLabel } from './token';

export interface DownloadCall {
  /** A token for this download only (the CLI's --token-stdin); else the one in use (see token.ts). */
  token?: string | null;
  plan?: RepoPlan | null;
  /** A branch, a tag or a commit id; it becomes the revision the repo is used at. Absent: the one in use (main). */
  revision?: string | null;
  /** Fetch the revision's current commit even though a complete copy is here (only changed files move). */
  update?: boolean;
}

export type ManagedResult = DownloadResult | { repo: null; path: string; alreadyComplete: true; sizeBytes: null; files: null; revision: null };

const isTrue = (v: string | undefined) => /^(1|true|yes|on)$/i.test(v ?? '');

/** HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE), as huggingface_hub reads it: no request to the Hub at all. */
export function offlineMode(env: NodeJS.ProcessEnv): boolean {
  return isTrue(env.HF_HUB_OFFLINE) || isTrue(env.TRANSFORMERS_OFFLINE);
}

const fetchers = new WeakMap<CoreContext, { key: string; fetch: typeof fetch }>();

/** The context's fetch for the Hub, made again only when the proxy settings change. */
export function fetchFor(ctx: CoreContext): typeof fetch {
  const s = ctx.settings.get();
  const key = JSON.stringify([s.hubProxy ?? null, ctx.env.HTTPS_PROXY, ctx.env.https_proxy, ctx.env.HTTP_PROXY, ctx.env.http_proxy, ctx.env.NO_PROXY, ctx.env.no_proxy]);
  const hit = fetchers.get(ctx);
  if (hit?.key === key) return hit.fetch;
  const f = hubFetch(ctx.env, s, ctx.resolveProxy);
  fetchers.set(ctx, { key, fetch: f });
  return f;
}

/** A session for one repo: endpoint, proxy and token as Settings and the environment say. */
export async function hubSessionFor(ctx: CoreContext, repo: string, opts: { token?: string | null; signal?: AbortSignal; fetch?: typeof fetch } = {}): Promise<HubSession> {
  const net = networkFor(ctx);
  const inUse = opts.token !== undefined ? null : await hubTokenInUse(ctx);
  const token = opts.token !== undefined ? opts.token : (inUse?.token ?? null);
  return { endpoint: net.endpoint, repo, token, tokenLabel: opts.token !== undefined ? 'given for this download' : tokenLabel(inUse), proxy: net.proxy, signal: opts.signal, fetch: opts.fetch ?? fetchFor(ctx) };
}

export class DownloadManager {
  private readonly active = new Map<string, { promise: Promise<DownloadResult>; controller: AbortController }>();

  constructor(
    private readonly ctx: CoreContext,
    readonly deps: DownloadDeps = {},
  ) {
    ctx.onClose(() => this.cancelAll());
  }

  async download(model: string, call: DownloadCall = {}): Promise<ManagedResult> {
    const target = resolveModel(this.ctx, model, call.plan ?? null);
    // A local folder needs no network: that is how Hone works offline.
    if (target.kind === 'local') return { repo: null, path: target.path, alreadyComplete: true, sizeBytes: null, files: null, revision: null };
    const repo = target.repo;
    const asked = call.revision === undefined ? undefined : call.revision?.trim() ? checkRevision(call.revision) : 'main';
    const running = this.active.get(repo);
    if (running) return running.promise;
    const controller = new AbortController();
    // Registered before the first await, so a second request arriving meanwhile joins this one.
    const promise = (async () => {
      const revision = asked ?? pinnedRevision(this.ctx, repo) ?? undefined;
      const here = call.update ? null : findDownloaded(this.ctx, repo, revision);
      if (here) {
        if (asked !== undefined) setPinnedRevision(this.ctx, repo, asked);
        return here;
      }
      if (offlineMode(this.ctx.env)) {
        throw new HoneError('NO_NETWORK', `${repo}${revision ? ` at ${revision}` : ''} is not on this machine, and HF_HUB_OFFLINE asks Hone not to use the network.`, 'Unset HF_HUB_OFFLINE to download it, or pick a local model folder.');
      }
      const s = await hubSessionFor(this.ctx, repo, { token: call.token, signal: controller.signal, fetch: this.deps.fetch });
      const res = await downloadRepo(
        {
          repo,
          revision,
          dataDir: this.ctx.paths.dataDir,
          endpoint: s.endpoint,
          token: s.token,
          tokenLabel: s.tokenLabel,
          proxy: s.proxy,
          target: downloadTarget(this.ctx, repo),
          update: call.update,
          env: this.ctx.env,
          signal: controller.signal,
          onProgress: (p) => this.ctx.bus.emit('models.progress', { ...p, model: repo }),
        },
        { ...this.deps, fetch: s.fetch },
      );
      if (asked !== undefined) setPinnedRevision(this.ctx, repo, asked);
      return res;
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
