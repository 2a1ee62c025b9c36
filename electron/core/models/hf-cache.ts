/**
 * The Hugging Face cache as huggingface_hub lays it out, so that a model transformers, Unsloth or
 * `hf download` already fetched is used as it is, and what Hone fetches is theirs too:
 *
 *   <cache>/models--<owner>--<name>/
 *     refs/<branch or tag>          the commit it pointed to when last fetched
 *     blobs/<etag>                  file contents (etag: the LFS sha256, or the git blob id of small files)
 *     snapshots/<commit>/<file>  -> ../../blobs/<etag>   (relative symlinks; copies where there are none)
 *
 * The cache folder is found as huggingface_hub finds it (constants.py): HF_HUB_CACHE, the legacy
 * HUGGINGFACE_HUB_CACHE, HF_HOME/hub, XDG_CACHE_HOME/huggingface/hub, ~/.cache/huggingface/hub. A desktop
 * launch may not inherit the variables a shell sets, so every one of those places is looked in; the first
 * is where new downloads go.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HoneError } from '../../shared/errors';

export type CacheSource = 'HF_HUB_CACHE' | 'HUGGINGFACE_HUB_CACHE' | 'HF_HOME' | 'XDG_CACHE_HOME' | 'default';

export interface CacheLocation {
  dir: string;
  from: CacheSource;
}

export function homeDir(env: NodeJS.ProcessEnv): string {
  return (process.platform === 'win32' ? env.USERPROFILE : env.HOME) || os.homedir();
}

/** ~ and ~/… as Python's os.path.expanduser reads them. */
export function expandUser(p: string, env: NodeJS.ProcessEnv): string {
  return p === '~' || p.startsWith('~/') || p.startsWith('~\\') ? path.join(homeDir(env), p.slice(1)) : p;
}

const set = (v: string | undefined) => (v && v.trim() ? v.trim() : null);

/** HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface: where the token file lives too. */
export function hfHome(env: NodeJS.ProcessEnv): string {
  const home = set(env.HF_HOME);
  if (home) return expandUser(home, env);
  return path.join(expandUser(set(env.XDG_CACHE_HOME) ?? path.join(homeDir(env), '.cache'), env), 'huggingface');
}

/** Where `hf auth login` / `huggingface-cli login` keep the token. */
export function hfTokenPath(env: NodeJS.ProcessEnv): string {
  const p = set(env.HF_TOKEN_PATH);
  return p ? expandUser(p, env) : path.join(hfHome(env), 'token');
}

/** Every place a cache may be, most specific first, without duplicates. The first is huggingface_hub's own. */
export function hfCacheLocations(env: NodeJS.ProcessEnv): CacheLocation[] {
  const out: CacheLocation[] = [];
  const add = (dir: string | null, from: CacheSource) => {
    if (!dir) return;
    const d = path.resolve(expandUser(dir, env));
    if (!out.some((o) => o.dir === d)) out.push({ dir: d, from });
  };
  add(set(env.HF_HUB_CACHE), 'HF_HUB_CACHE');
  add(set(env.HUGGINGFACE_HUB_CACHE), 'HUGGINGFACE_HUB_CACHE');
  if (set(env.HF_HOME)) add(path.join(set(env.HF_HOME)!, 'hub'), 'HF_HOME');
  if (set(env.XDG_CACHE_HOME)) add(path.join(set(env.XDG_CACHE_HOME)!, 'huggingface', 'hub'), 'XDG_CACHE_HOME');
  add(path.join(homeDir(env), '.cache', 'huggingface', 'hub'), 'default');
  return out;
}

export function repoFolderName(repo: string): string {
  return `models--${repo.split('/').join('--')}`;
}

export function cacheRepoDir(cacheDir: string, repo: string): string {
  return path.join(cacheDir, repoFolderName(repo));
}

export const COMMIT = /^[0-9a-f]{40}$/;

/** Branch and tag names as the Hub allows them ("refs/pr/1" included); never a path that climbs out. */
export function checkRevision(revision: string): string {
  const r = revision.trim();
  if (!r || r.length > 255 || !/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(r) || r.includes('..') || r.endsWith('/')) {
    throw new HoneError('BAD_REQUEST', `"${revision}" is not a revision name.`, 'Use a branch (main), a tag (v1.0) or a commit id, or leave it empty for main.');
  }
  return r;
}

export function readRef(repoDir: string, revision: string): string | null {
  try {
    const v = fs.readFileSync(path.join(repoDir, 'refs', ...revision.split('/')), 'utf8').trim();
    return COMMIT.test(v) ? v : null;
  } catch {
    return null;
  }
}

/** Records which commit a branch or tag pointed to (nothing for a commit id), written atomically. */
export function writeRef(repoDir: string, revision: string, commit: string): void {
  if (revision === commit) return;
  const file = path.join(repoDir, 'refs', ...revision.split('/'));
  if (readRef(repoDir, revision) === commit) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, commit);
  fs.renameSync(tmp, file);
}

const exists = (p: string) => fs.existsSync(p); // follows symlinks: a dangling link is missing

function weightMapComplete(dir: string, index: string): boolean {
  try {
    const map = (JSON.parse(fs.readFileSync(path.join(dir, index), 'utf8')) as { weight_map?: Record<string, string> }).weight_map;
    const files = new Set(Object.values(map ?? {}));
    return files.size > 0 && [...files].every((f) => typeof f === 'string' && exists(path.join(dir, ...f.split('/'))));
  } catch {
    return false;
  }
}

/**
 * Whether a folder holds what a training loads, judged from the folder alone (so it works offline):
 * config.json, a tokenizer, and one complete set of weights as transformers looks for them.
 */
export function isCompleteModelDir(dir: string): boolean {
  if (!exists(path.join(dir, 'config.json'))) return false;
  if (!['tokenizer.json', 'tokenizer.model', 'vocab.json', 'tokenizer_config.json'].some((f) => exists(path.join(dir, f)))) return false;
  return (
    exists(path.join(dir, 'model.safetensors')) ||
    weightMapComplete(dir, 'model.safetensors.index.json') ||
    exists(path.join(dir, 'pytorch_model.bin')) ||
    weightMapComplete(dir, 'pytorch_model.bin.index.json')
  );
}

export interface CachedSnapshot {
  repo: string;
  path: string;
  commit: string;
  /** What the snapshot was found by: the revision's ref, or (no revision asked) the newest complete one. */
  viaRef: boolean;
}

function snapshots(repoDir: string): { commit: string; mtime: number }[] {
  const dir = path.join(repoDir, 'snapshots');
  if (!exists(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((c) => COMMIT.test(c))
    .map((c) => ({ commit: c, mtime: fs.statSync(path.join(dir, c)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
}

/**
 * The complete snapshot of `repo` at `revision` (a branch, a tag or a commit id) in one cache folder.
 * Without a revision: main's, else the newest complete one (an older commit still trains; the update
 * check offers the newer one).
 */
export function findSnapshot(cacheDir: string, repo: string, revision?: string | null): CachedSnapshot | null {
  const repoDir = cacheRepoDir(cacheDir, repo);
  if (!exists(repoDir)) return null;
  const rev = revision ?? 'main';
  const commit = COMMIT.test(rev) ? rev : readRef(repoDir, rev);
  const at = (c: string) => path.join(repoDir, 'snapshots', c);
  if (commit && isCompleteModelDir(at(commit))) return { repo, path: at(commit), commit, viaRef: true };
  if (revision) return null;
  for (const s of snapshots(repoDir)) if (s.commit !== commit && isCompleteModelDir(at(s.commit))) return { repo, path: at(s.commit), commit: s.commit, viaRef: false };
  return null;
}

/** Bytes of the files a folder holds, following links (what the model weighs). */
export function folderSize(dir: string): number {
  let n = 0;
  if (!exists(dir)) return 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    try {
      const s = fs.statSync(p);
      n += s.isDirectory() ? folderSize(p) : s.size;
    } catch {
      // a dangling link: nothing on disk
    }
  }
  return n;
}

/** Bytes actually on disk under a folder: links count nothing, so blobs shared by snapshots count once. */
export function diskUsage(dir: string): number {
  let n = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += diskUsage(p);
    else if (e.isFile()) n += fs.statSync(p).size;
  }
  return n;
}

/** The repos of one cache folder that have a complete snapshot (models only; datasets-- and spaces-- are not models). */
export function listCache(cacheDir: string): (CachedSnapshot & { sizeBytes: number })[] {
  if (!exists(cacheDir)) return [];
  const out: (CachedSnapshot & { sizeBytes: number })[] = [];
  for (const name of fs.readdirSync(cacheDir)) {
    const m = /^models--([^-][^/]*?)--(.+)$/.exec(name);
    if (!m) continue;
    const repo = `${m[1]}/${m[2]}`;
    const snap = findSnapshot(cacheDir, repo);
    if (snap) out.push({ ...snap, sizeBytes: folderSize(snap.path) });
  }
  return out;
}

const symlinkSupport = new Map<string, boolean>();

/** Whether links can be made in `dir` (Windows without Developer Mode cannot); HF_HUB_DISABLE_SYMLINKS says no. */
export function symlinksSupported(dir: string, env: NodeJS.ProcessEnv): boolean {
  if (/^(1|true|yes|on)$/i.test(env.HF_HUB_DISABLE_SYMLINKS ?? '')) return false;
  const key = path.resolve(dir);
  let ok = symlinkSupport.get(key);
  if (ok === undefined) {
    fs.mkdirSync(key, { recursive: true });
    const tmp = fs.mkdtempSync(path.join(key, '.hone-symlink-'));
    try {
      fs.writeFileSync(path.join(tmp, 'src'), '');
      fs.symlinkSync('src', path.join(tmp, 'dst'));
      ok = true;
    } catch {
      ok = false;
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    symlinkSupport.set(key, ok);
  }
  return ok;
}

/**
 * Puts a blob at its snapshot path: a relative link (as huggingface_hub makes them, so the cache can move),
 * or, where links are not allowed, the file itself: moved when the blob is new (it was just downloaded for
 * this snapshot), copied when it may be shared with another snapshot.
 */
export function linkBlob(blob: string, pointer: string, opts: { symlinks: boolean; newBlob: boolean }): void {
  fs.mkdirSync(path.dirname(pointer), { recursive: true });
  fs.rmSync(pointer, { force: true });
  if (opts.symlinks) {
    try {
      fs.symlinkSync(path.relative(path.dirname(pointer), blob), pointer);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    }
  }
  if (opts.newBlob) fs.renameSync(blob, pointer);
  else fs.copyFileSync(blob, pointer);
}

/** CACHEDIR.TAG, as huggingface_hub writes it, so backup tools skip the cache. */
export function tagCacheDir(cacheDir: string): void {
  const tag = path.join(cacheDir, 'CACHEDIR.TAG');
  if (exists(tag)) return;
  try {
    fs.writeFileSync(tag, 'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag: the Hugging Face cache (written by Hone, as huggingface_hub does).\n# For information about cache directory tags, see:\n#\thttps://bford.info/cachedir/\n', { flag: 'wx' });
  } catch {
    // written by another process, or a read-only cache: neither matters
  }
}
