/**
 * Brings a Hub repo's training files into <dataDir>/models/hf/<owner>/<name>/: list, check disk space,
 * fetch each file (resumable), then write a marker so the next call returns without touching the network.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { Progress } from '../../shared/types/progress';
import { fetchFile, localPaths, sizeOnDisk } from './fetch-file';
import { isRepoId, repoDir } from './hub';
import { headSize, listRepo, type HubFile, type HubSession } from './hub-client';
import { gatedError } from './hub-errors';
import { lockRepoDir } from './lock';
import { ByteProgress, formatBytes } from './progress';
import { selectFiles } from './select-files';

export interface DownloadDeps {
  fetch?: typeof fetch;
  /** Free bytes on the disk holding `dir`; null when unknown (then no check). */
  freeBytes?: (dir: string) => Promise<number | null>;
  retries?: number;
  retryDelayMs?: number;
  idleTimeoutMs?: number;
  progressIntervalMs?: number;
}

export interface DownloadRequest {
  repo: string;
  revision?: string;
  dataDir: string;
  endpoint: string;
  token: string | null;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

export interface DownloadResult {
  repo: string;
  path: string;
  sizeBytes: number;
  files: number;
  revision: string;
  alreadyComplete: boolean;
}

interface CompleteMarker {
  repo: string;
  revision: string;
  sizeBytes: number;
  files: { name: string; size: number }[];
  completedAt: string;
}

export const COMPLETE_MARKER = '.hone-complete.json';
/** Which commit the .part files belong to, so parts of an older revision are never resumed into a newer one. */
const STATE_FILE = '.hone-download.json';
const DISK_MARGIN = 1.1;

export function readMarker(dir: string): CompleteMarker | null {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, COMPLETE_MARKER), 'utf8')) as CompleteMarker;
    return typeof m.repo === 'string' && typeof m.sizeBytes === 'number' ? m : null;
  } catch {
    return null;
  }
}

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

export async function downloadRepo(req: DownloadRequest, deps: DownloadDeps = {}): Promise<DownloadResult> {
  if (!isRepoId(req.repo)) throw new HoneError('BAD_REQUEST', `"${req.repo}" is not a Hugging Face repo id.`, 'Use owner/name, e.g. unsloth/Llama-3.2-1B-Instruct.');
  const dir = repoDir(req.dataDir, req.repo);
  const marker = readMarker(dir);
  if (marker) return { repo: req.repo, path: dir, sizeBytes: marker.sizeBytes, files: marker.files.length, revision: marker.revision, alreadyComplete: true };

  const session: HubSession = { endpoint: req.endpoint, repo: req.repo, token: req.token, signal: req.signal, fetch: deps.fetch ?? fetch };
  const listing = await listRepo(session, req.revision ?? 'main');
  // The listing of a gated repo is public; its files are not. Say so before fetching anything.
  if (listing.gated && !req.token) throw gatedError(req.endpoint, req.repo, false, 401);
  const files = selectFiles(req.repo, listing.files);
  for (const f of files) if (f.size === null) f.size = await headSize(session, listing.sha, f.name);

  const { total, have } = await tally(dir, files, listing.sha);
  await checkDisk(req, dir, total - have, deps.freeBytes ?? statfsFree);
  const unlock = lockRepoDir(dir, req.repo);
  try {
    // Another process may have finished it while we listed.
    const finished = readMarker(dir);
    if (finished) return { repo: req.repo, path: dir, sizeBytes: finished.sizeBytes, files: finished.files.length, revision: finished.revision, alreadyComplete: true };
    await discardStale(dir, listing.sha);
    await fsp.writeFile(path.join(dir, STATE_FILE), JSON.stringify({ repo: req.repo, revision: listing.sha }));
    return await fetchAll(req, deps, session, dir, files, listing.sha, { total, have });
  } finally {
    unlock();
  }
}

async function fetchAll(
  req: DownloadRequest,
  deps: DownloadDeps,
  session: HubSession,
  dir: string,
  files: HubFile[],
  revision: string,
  { total, have }: { total: number; have: number },
): Promise<DownloadResult> {
  const progress = new ByteProgress(total, have, (p) => req.onProgress?.(p), deps.progressIntervalMs);
  for (const file of files) {
    progress.file(file.name);
    await fetchFile({
      session,
      revision,
      file,
      dir,
      retries: deps.retries ?? 4,
      retryDelayMs: deps.retryDelayMs ?? 1000,
      idleTimeoutMs: deps.idleTimeoutMs ?? 60_000,
      onBytes: (d) => progress.add(d),
    });
  }
  const done: CompleteMarker = {
    repo: req.repo,
    revision,
    sizeBytes: total,
    files: files.map((f) => ({ name: f.name, size: f.size ?? 0 })),
    completedAt: new Date().toISOString(),
  };
  const tmp = path.join(dir, `${COMPLETE_MARKER}.tmp`);
  await fsp.writeFile(tmp, JSON.stringify(done, null, 2));
  await fsp.rename(tmp, path.join(dir, COMPLETE_MARKER));
  await fsp.rm(path.join(dir, STATE_FILE), { force: true });
  progress.flush('Downloaded');
  return { repo: req.repo, path: dir, sizeBytes: total, files: files.length, revision, alreadyComplete: false };
}

async function partsRevision(dir: string): Promise<string | null> {
  try {
    return (JSON.parse(await fsp.readFile(path.join(dir, STATE_FILE), 'utf8')) as { revision?: string }).revision ?? null;
  } catch {
    return null;
  }
}

/** Files of another revision (the repo changed since the last try) must not mix with this one's. */
async function discardStale(dir: string, revision: string): Promise<void> {
  if ((await partsRevision(dir)) === revision) return;
  for (const name of await fsp.readdir(dir)) {
    if (!name.startsWith('.hone-')) await fsp.rm(path.join(dir, name), { recursive: true, force: true });
  }
}

/** Bytes the repo needs in all, and how many of them are already on disk (finished files and .part files). */
async function tally(dir: string, files: HubFile[], revision: string): Promise<{ total: number; have: number }> {
  const same = (await partsRevision(dir)) === revision;
  let total = 0;
  let have = 0;
  for (const f of files) {
    const size = f.size ?? 0;
    total += size;
    const { final, part } = localPaths(dir, f.name);
    if (!same) continue;
    if ((await sizeOnDisk(final)) === size) have += size;
    else have += Math.min(size, (await sizeOnDisk(part)) ?? 0);
  }
  return { total, have };
}

async function checkDisk(req: DownloadRequest, dir: string, remaining: number, freeBytes: (dir: string) => Promise<number | null>): Promise<void> {
  if (remaining <= 0) return;
  const free = await freeBytes(dir);
  const need = Math.ceil(remaining * DISK_MARGIN);
  if (free === null || free >= need) return;
  throw new HoneError(
    'DISK_FULL',
    `${req.repo} needs ${formatBytes(remaining)} more on disk (${formatBytes(need)} with a 10% margin), but only ${formatBytes(free)} is free in ${req.dataDir}.`,
    `Free at least ${formatBytes(need - free)}, or move Hone's data folder to a larger disk in Settings.`,
  );
}
