/**
 * Brings a Hub repo's training files onto this machine: list the revision, read the shard index, pick the
 * files, check disk space, fetch 4 files at a time (resumable, hashed while they stream), then make them
 * the model folder: a snapshot of the Hugging Face cache (download-targets.ts), or a plain folder.
 * A complete copy returns at once, without touching the network.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { Progress } from '../../shared/types/progress';
import { cacheStore, folderStore, readMarker, type Store } from './download-targets';
import { fetchFile } from './fetch-file';
import { checkRevision, COMMIT, findSnapshot, folderSize } from './hf-cache';
import { isRepoId, repoDir } from './hub';
import { headFile, listRepo, type CallOptions, type HubFile, type HubSession } from './hub-client';
import { describeNetworkError, gatedError, RetryableError } from './hub-errors';
import { errorContext } from './http';
import { lockRepoDir } from './lock';
import { ByteProgress, formatBytes } from './progress';
import { DEFAULT_RETRY, type RetryPolicy } from './retry';
import { parseWeightMap, selectFiles, weightIndexName } from './select-files';

export { COMPLETE_MARKER, readMarker } from './download-targets';

export interface DownloadDeps {
  fetch?: typeof fetch;
  /** Free bytes on the disk holding `dir`; null when unknown (then no check). */
  freeBytes?: (dir: string) => Promise<number | null>;
  retries?: number;
  retryDelayMs?: number;
  /** The longest wait a 429 may ask for before the download fails with its message instead. */
  maxServerWaitMs?: number;
  idleTimeoutMs?: number;
  progressIntervalMs?: number;
  /** Files fetched at once. */
  concurrency?: number;
}

/** The HF cache folder (snapshots + blobs), or a plain folder that becomes the model folder itself. */
export type DownloadTarget = { kind: 'cache'; dir: string } | { kind: 'folder'; dir: string };

export interface DownloadRequest {
  repo: string;
  /** A branch, a tag or a commit id; main when absent. */
  revision?: string;
  dataDir: string;
  endpoint: string;
  token: string | null;
  /** Where the token came from, named in messages. */
  tokenLabel?: string;
  /** The proxy in use, named in messages. */
  proxy?: string | null;
  /** Absent: the plain folder <dataDir>/models/hf/<owner>/<name>/, as before the HF cache was used. */
  target?: DownloadTarget;
  /** Fetch the revision's current commit even though a complete copy is here (only changed files move). */
  update?: boolean;
  /** For HF_HUB_DISABLE_SYMLINKS. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

export interface DownloadResult {
  repo: string;
  path: string;
  sizeBytes: number;
  files: number;
  /** The commit the files belong to. */
  revision: string;
  alreadyComplete: boolean;
}

const DISK_MARGIN = 1.1;

export async function statfsFree(dir: string): Promise<number | null> {
  let d = dir;
  while (!fs.existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
  try {
    const s = await fsp.statfs(d);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

function countFiles(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? countFiles(path.join(dir, e.name)) : e.name.startsWith('.hone-') ? 0 : 1;
  return n;
}

/** A complete copy in the request's own target, or null. */
export function completeIn(target: DownloadTarget, repo: string, revision?: string): DownloadResult | null {
  if (target.kind === 'cache') {
    const snap = findSnapshot(target.dir, repo, revision);
    return snap ? { repo, path: snap.path, sizeBytes: folderSize(snap.path), files: countFiles(snap.path), revision: snap.commit, alreadyComplete: true } : null;
  }
  const m = readMarker(target.dir);
  if (!m || (revision && revision !== m.revision && revision !== (m.ref ?? 'main'))) return null;
  return { repo, path: target.dir, sizeBytes: m.sizeBytes, files: m.files.length, revision: m.revision, alreadyComplete: true };
}

export async function downloadRepo(req: DownloadRequest, deps: DownloadDeps = {}): Promise<DownloadResult> {
  if (!isRepoId(req.repo)) throw new HoneError('BAD_REQUEST', `"${req.repo}" is not a Hugging Face repo id.`, 'Use owner/name, e.g. unsloth/Llama-3.2-1B-Instruct.');
  const revision = req.revision ? checkRevision(req.revision) : undefined;
  const target: DownloadTarget = req.target ?? { kind: 'folder', dir: repoDir(req.dataDir, req.repo) };
  if (!req.update) {
    const here = completeIn(target, req.repo, revision);
    if (here) return here;
  }
  const send = (p: Progress) => req.onProgress?.(p);
  const session: HubSession = { endpoint: req.endpoint, repo: req.repo, token: req.token, tokenLabel: req.tokenLabel, proxy: req.proxy, signal: req.signal, fetch: deps.fetch ?? fetch };
  const retry: RetryPolicy = { ...DEFAULT_RETRY, retries: deps.retries ?? DEFAULT_RETRY.retries, baseDelayMs: deps.retryDelayMs ?? DEFAULT_RETRY.baseDelayMs, maxServerWaitMs: deps.maxServerWaitMs ?? DEFAULT_RETRY.maxServerWaitMs };
  const waiting = (ms: number, err: Error) => waitNote(ms, err, req.token !== null);
  send({ stage: 'Asking the Hub', done: 0, total: null, unit: 'bytes', detail: `${req.repo} at ${revision ?? 'main'}` });
  const listing = await listRepo(session, revision ?? 'main', { retry, onWait: (ms, err) => send({ stage: 'Waiting', done: 0, total: null, unit: 'bytes', detail: waiting(ms, err) }) });
  // The commit names the snapshot folder: only a real commit id will do.
  if (target.kind === 'cache' && !COMMIT.test(listing.sha)) {
    throw new HoneError('INTERNAL', `The Hub's answer for ${req.repo} names no commit id ("${listing.sha.slice(0, 60)}").`, 'If you use a mirror (Settings: Hub endpoint, or HF_ENDPOINT), it may be incomplete: try huggingface.co.');
  }
  // The listing of a gated repo is public; its files are not. Say so before fetching anything.
  if (listing.gated && !req.token) throw gatedError(errorContext(session), 401);
  if (target.kind === 'folder' && readMarker(target.dir)?.revision === listing.sha) return completeIn(target, req.repo)!;
  const store = target.kind === 'cache' ? cacheStore(target.dir, req.repo, revision ?? 'main', listing.sha, req.env ?? {}) : folderStore(target.dir, req.repo, revision ?? 'main', listing.sha);
  await fsp.mkdir(store.lockDir, { recursive: true });
  const unlock = lockRepoDir(store.lockDir, req.repo);
  try {
    // Another process may have finished it while we listed.
    if (!req.update && target.kind === 'folder' && readMarker(target.dir)) return completeIn(target, req.repo)!;
    await store.begin();
    const calls: CallOptions = { retry, onWait: (ms, err) => send({ stage: 'Waiting', done: 0, total: null, unit: 'bytes', detail: waiting(ms, err) }) };
    const fresh = new Set<string>();
    const files = await chooseFiles(req, deps, session, listing.files, listing.sha, store, calls, fresh);
    let total = 0;
    let have = 0;
    for (const f of files) {
      total += f.size ?? 0;
      have += await store.have(f);
    }
    await checkDisk(req, store.root, total - have, deps.freeBytes ?? statfsFree);
    const progress = new ByteProgress(total, have, send, deps.progressIntervalMs);
    const jobs = new Map<string, HubFile>();
    for (const f of files) if (!(await store.done(f))) jobs.set(store.job(f).final, f);
    await pool([...jobs.values()], deps.concurrency ?? 4, req.signal, async (f, signal) => {
      progress.start(f.name);
      await fetchFile({
        session: { ...session, signal },
        revision: listing.sha,
        job: store.job(f),
        retry,
        idleTimeoutMs: deps.idleTimeoutMs ?? 60_000,
        onBytes: (d) => progress.add(d),
        onVerify: (done, all) => progress.phase('Verifying', `${f.name}: checking the ${formatBytes(all)} fetched before (${Math.floor((100 * done) / all)}%)`),
        onWait: (ms, err) => progress.phase('Waiting', waiting(ms, err)),
      });
      fresh.add(store.job(f).final);
      progress.end(f.name);
    });
    const dir = await store.finish(files, fresh);
    progress.flush('Downloaded');
    return { repo: req.repo, path: dir, sizeBytes: total, files: files.length, revision: listing.sha, alreadyComplete: fresh.size === 0 };
  } finally {
    unlock();
  }
}

/** The shard index first (its weight_map decides the weights), then sizes and ETags the listing lacked. */
async function chooseFiles(req: DownloadRequest, deps: DownloadDeps, session: HubSession, all: HubFile[], commit: string, store: Store, calls: CallOptions, fresh: Set<string>): Promise<HubFile[]> {
  const complete = async (f: HubFile) => {
    if (f.size !== null && (f.sha256 || f.gitOid || f.etag)) return;
    const h = await headFile(session, commit, f.name, calls);
    f.size ??= h.size;
    f.etag ??= h.etag;
  };
  const indexName = weightIndexName(all);
  let weightMap: string[] | null = null;
  if (indexName) {
    const index = all.find((f) => f.name === indexName)!;
    await complete(index);
    const job = store.job(index);
    if (!(await store.done(index))) fresh.add(job.final);
    await fetchFile({ session, revision: commit, job, retry: calls.retry, onWait: calls.onWait, idleTimeoutMs: deps.idleTimeoutMs ?? 60_000, onBytes: () => undefined });
    weightMap = parseWeightMap(req.repo, indexName, await fsp.readFile(job.final, 'utf8'));
  }
  const files = selectFiles(req.repo, all, weightMap);
  await pool(files, deps.concurrency ?? 4, session.signal, (f) => complete(f));
  return files;
}

/** Runs `work` over `items`, `n` at a time; the first failure stops the others (their partial files stay). */
async function pool<T>(items: T[], n: number, outer: AbortSignal | undefined, work: (item: T, signal: AbortSignal) => Promise<void>): Promise<void> {
  const inner = new AbortController();
  const signal = outer ? AbortSignal.any([outer, inner.signal]) : inner.signal;
  let next = 0;
  let failure: { err: unknown } | null = null;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++];
      try {
        await work(item, signal);
      } catch (err) {
        failure ??= { err };
        inner.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  if (failure) throw (failure as { err: unknown }).err;
}

/** A progress line for a wait: the Hub's rate limit (and that a token raises it), or a connection retry. */
export function waitNote(ms: number, err: Error, hasToken: boolean): string {
  const s = Math.ceil(ms / 1000);
  if (err instanceof RetryableError && err.final?.code === 'RATE_LIMITED') {
    return `The Hub's rate limit is reached: retrying in ${s} s${hasToken ? '' : '. A Hugging Face access token raises the limit'}.`;
  }
  return `${err instanceof RetryableError ? err.message : describeNetworkError(err)}: retrying in ${s} s.`;
}

async function checkDisk(req: DownloadRequest, dir: string, remaining: number, freeBytes: (dir: string) => Promise<number | null>): Promise<void> {
  if (remaining <= 0) return;
  const free = await freeBytes(dir);
  const need = Math.ceil(remaining * DISK_MARGIN);
  if (free === null || free >= need) return;
  throw new HoneError(
    'DISK_FULL',
    `${req.repo} needs ${formatBytes(remaining)} more on disk (${formatBytes(need)} with a 10% margin), but only ${formatBytes(free)} is free in ${dir}.`,
    `Free at least ${formatBytes(need - free)}, or pick a models folder on a larger disk in Settings.`,
  );
}
