/**
 * Which models are on this machine, and where a download goes. New downloads go to the Hugging Face cache
 * (hf-cache.ts) unless the user picked a models folder in Settings; lookups also cover every other cache
 * location, that folder, and Hone's older layout <dataDir>/models/hf/<owner>/<name>/, so nothing already
 * on disk is fetched twice. The revision a repo is used at (its "pin") is the one last asked for.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pickRepo, type RepoPlan } from '../../shared/model-repo';
import type { LocalModelInfo } from '../../shared/types/model-storage';
import type { CoreContext } from '../context';
import { completeIn, type DownloadResult, type DownloadTarget } from './downloader';
import { hfCacheLocations, listCache, type CacheSource } from './hf-cache';
import { readMarker } from './download-targets';
import { isRepoId, repoDir } from './hub';
import { catalogueEntry, resolveModel } from './resolve';

export type LocalModel = LocalModelInfo;

export type LocationKind = 'hf-cache' | 'folder' | 'hone-legacy';

export interface ModelLocation {
  kind: LocationKind;
  dir: string;
  /** What chose it: an environment variable, the default, Settings, or Hone's data folder. */
  from: CacheSource | 'settings' | 'data folder';
}

const set = (v: string | null | undefined) => (v && v.trim() ? v.trim() : null);

/** Every place models may be, in lookup order; the first is where new downloads go. */
export function modelLocations(ctx: CoreContext): ModelLocation[] {
  const folder = set(ctx.settings.get().modelsDir);
  const caches = hfCacheLocations(ctx.env).map((c): ModelLocation => ({ kind: 'hf-cache', dir: c.dir, from: c.from }));
  const legacy: ModelLocation = { kind: 'hone-legacy', dir: path.join(ctx.paths.dataDir, 'models', 'hf'), from: 'data folder' };
  return folder ? [{ kind: 'folder', dir: path.resolve(folder), from: 'settings' }, ...caches, legacy] : [...caches, legacy];
}

function targetIn(loc: ModelLocation, repo: string): DownloadTarget {
  const [owner, name] = repo.split('/');
  return loc.kind === 'hf-cache' ? { kind: 'cache', dir: loc.dir } : { kind: 'folder', dir: path.join(loc.dir, owner, name) };
}

/** Where a new download of `repo` goes. */
export function downloadTarget(ctx: CoreContext, repo: string): DownloadTarget {
  return targetIn(modelLocations(ctx)[0], repo);
}

/** A complete copy of `repo` (at `revision`, when given) anywhere Hone looks, or null. */
export function findDownloaded(ctx: CoreContext, repo: string, revision?: string | null): DownloadResult | null {
  for (const loc of modelLocations(ctx)) {
    const hit = completeIn(targetIn(loc, repo), repo, revision ?? undefined);
    if (hit) return hit;
  }
  return null;
}

// The revision each repo is used at, when not main: <dataDir>/models/revisions.json.
const pinsFile = (ctx: CoreContext) => path.join(ctx.paths.dataDir, 'models', 'revisions.json');

function readPins(ctx: CoreContext): Record<string, string> {
  try {
    const v = JSON.parse(fs.readFileSync(pinsFile(ctx), 'utf8')) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** The revision `repo` is used at: the one last downloaded by name, else null (main). */
export function pinnedRevision(ctx: CoreContext, repo: string): string | null {
  const r = readPins(ctx)[repo];
  return typeof r === 'string' && r ? r : null;
}

export function setPinnedRevision(ctx: CoreContext, repo: string, revision: string | null): void {
  const pins = readPins(ctx);
  if (!revision || revision === 'main') delete pins[repo];
  else pins[repo] = revision;
  fs.mkdirSync(path.dirname(pinsFile(ctx)), { recursive: true });
  const tmp = `${pinsFile(ctx)}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(pins, null, 2));
  fs.renameSync(tmp, pinsFile(ctx));
}

/** Complete models in every location, one entry per repo (the first location that has it). */
export function listLocal(ctx: CoreContext): LocalModel[] {
  const byRepo = new Map<string, LocalModel>();
  const dirs = (p: string) => (fs.existsSync(p) ? fs.readdirSync(p, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : []);
  for (const loc of modelLocations(ctx)) {
    if (loc.kind === 'hf-cache') {
      for (const s of listCache(loc.dir)) {
        if (byRepo.has(s.repo)) continue;
        // A repo used at another revision shows that revision's snapshot, when it is here.
        const pin = pinnedRevision(ctx, s.repo);
        const at = pin ? completeIn({ kind: 'cache', dir: loc.dir }, s.repo, pin) : null;
        byRepo.set(s.repo, at ? { model: s.repo, path: at.path, sizeBytes: at.sizeBytes, commit: at.revision, store: 'hf-cache' } : { model: s.repo, path: s.path, sizeBytes: s.sizeBytes, commit: s.commit, store: 'hf-cache' });
      }
      continue;
    }
    for (const owner of dirs(loc.dir)) {
      for (const name of dirs(path.join(loc.dir, owner))) {
        const m = readMarker(path.join(loc.dir, owner, name));
        if (m && !byRepo.has(m.repo)) byRepo.set(m.repo, { model: m.repo, path: path.join(loc.dir, owner, name), sizeBytes: m.sizeBytes, commit: m.revision, store: 'folder' });
      }
    }
  }
  return [...byRepo.values()].sort((a, b) => a.model.localeCompare(b.model));
}

function downloadedPath(ctx: CoreContext, repo: string): string | null {
  return findDownloaded(ctx, repo, pinnedRevision(ctx, repo))?.path ?? null;
}

/**
 * The folder to load `modelId` from, or null when it still has to be downloaded. With a plan, the repo
 * that plan trains (pickRepo); for QLoRA on CUDA the 16-bit repo also serves when that is the one on disk,
 * since bitsandbytes quantises it at load time.
 */
export function modelPathFor(ctx: CoreContext, modelId: string, plan: RepoPlan | null = null): string | null {
  if (isRepoId(modelId)) return downloadedPath(ctx, modelId);
  const spec = catalogueEntry(ctx, modelId);
  if (!spec) {
    try {
      const t = resolveModel(ctx, modelId, plan);
      return t.kind === 'local' ? t.path : null;
    } catch {
      return null;
    }
  }
  if (spec.localPath) return fs.existsSync(path.join(spec.localPath, 'config.json')) ? spec.localPath : null;
  const candidates = [pickRepo(spec, plan), plan?.device === 'cuda' ? spec.hfId : null];
  for (const repo of candidates) {
    const p = repo ? downloadedPath(ctx, repo) : null;
    if (p) return p;
  }
  return null;
}

/** Hone's older layout, for callers that named it. */
export { repoDir };
