/**
 * Where a download's files go. Two shapes:
 *  - the Hugging Face cache (the default): content-addressed blobs + a snapshot folder of links, so
 *    transformers, Unsloth and `hf` reuse what Hone fetched, and an update fetches only the files that changed;
 *  - a plain folder the user picked (<folder>/<owner>/<name>/, Hone's older layout too): the files
 *    themselves, and a marker once complete.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { FileJob } from './fetch-file';
import { localPaths, sizeOnDisk } from './fetch-file';
import { blobName, type HubFile } from './hub-client';
import { cacheRepoDir, linkBlob, repoFolderName, symlinksSupported, tagCacheDir, writeRef } from './hf-cache';

export const COMPLETE_MARKER = '.hone-complete.json';
/** Which commit a folder's .part files belong to, so parts of an older revision are never resumed into a newer one. */
const STATE_FILE = '.hone-download.json';

export interface CompleteMarker {
  repo: string;
  /** The commit. */
  revision: string;
  /** The branch or tag it was asked by (absent in markers written before revisions could be chosen: main). */
  ref?: string;
  sizeBytes: number;
  files: { name: string; size: number }[];
  completedAt: string;
}

export interface Store {
  /** Where the files go (for the free-space check and messages). */
  readonly root: string;
  /** The folder holding the lock. */
  readonly lockDir: string;
  /** Called under the lock, before any file is fetched. */
  begin(): Promise<void>;
  job(f: HubFile): FileJob;
  /** Bytes of the file already on disk: all of it when complete, else what its partial file holds. */
  have(f: HubFile): Promise<number>;
  /** Whether the file is complete here (nothing to fetch). */
  done(f: HubFile): Promise<boolean>;
  /** Makes the fetched files the model folder; returns its path. fresh: the jobs' finals fetched by this call. */
  finish(files: HubFile[], fresh: Set<string>): Promise<string>;
}

export function readMarker(dir: string): CompleteMarker | null {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, COMPLETE_MARKER), 'utf8')) as CompleteMarker;
    return typeof m.repo === 'string' && typeof m.sizeBytes === 'number' ? m : null;
  } catch {
    return null;
  }
}

const complete = async (p: string, size: number | null) => {
  const n = await sizeOnDisk(p);
  return n !== null && (size === null || n === size);
};

async function partial(job: FileJob, size: number): Promise<number> {
  if ((await sizeOnDisk(job.final)) === size) return size;
  return Math.min(size, (await sizeOnDisk(job.part)) ?? 0);
}

export function cacheStore(cacheDir: string, repo: string, revision: string, commit: string, env: NodeJS.ProcessEnv): Store {
  const repoDir = cacheRepoDir(cacheDir, repo);
  const snapshot = path.join(repoDir, 'snapshots', commit);
  // A listing without hashes (a mirror that ignores ?blobs=true, no ETag either): a name fixed by commit and
  // path still names one content.
  const blobOf = (f: HubFile) => blobName(f) ?? `hone-${createHash('sha1').update(`${commit}/${f.name}`).digest('hex')}`;
  const jobOf = (f: HubFile): FileJob => {
    const blob = path.join(repoDir, 'blobs', blobOf(f));
    return { file: f, final: blob, part: `${blob}.hone.incomplete` };
  };
  const pointer = (f: HubFile) => path.join(snapshot, ...f.name.split('/'));
  return {
    root: cacheDir,
    lockDir: path.join(cacheDir, '.locks', repoFolderName(repo)),
    async begin() {
      await fsp.mkdir(path.join(repoDir, 'blobs'), { recursive: true });
      tagCacheDir(cacheDir);
    },
    job: jobOf,
    async have(f) {
      const size = f.size ?? 0;
      if ((await sizeOnDisk(pointer(f))) === size) return size;
      return partial(jobOf(f), size);
    },
    async done(f) {
      return (await complete(pointer(f), f.size)) || complete(jobOf(f).final, f.size);
    },
    async finish(files, fresh) {
      const symlinks = symlinksSupported(cacheDir, env);
      const uses = new Map<string, number>();
      for (const f of files) uses.set(jobOf(f).final, (uses.get(jobOf(f).final) ?? 0) + 1);
      for (const f of files) {
        const at = pointer(f);
        const blob = jobOf(f).final;
        const left = (uses.get(blob) ?? 1) - 1;
        uses.set(blob, left);
        if ((await sizeOnDisk(at)) === f.size) continue; // linked (or copied) by an earlier run
        // Without links, as huggingface_hub does: a blob just fetched for this snapshot alone moves into it;
        // one that was already there (another snapshot may use it) or is needed again is copied.
        linkBlob(blob, at, { symlinks, newBlob: fresh.has(blob) && left === 0 });
      }
      writeRef(repoDir, revision, commit);
      return snapshot;
    },
  };
}

export function folderStore(dir: string, repo: string, ref: string, commit: string): Store {
  const jobOf = (f: HubFile): FileJob => ({ file: f, ...localPaths(dir, f.name) });
  const partsCommit = async (): Promise<string | null> => {
    try {
      return (JSON.parse(await fsp.readFile(path.join(dir, STATE_FILE), 'utf8')) as { revision?: string }).revision ?? null;
    } catch {
      return null;
    }
  };
  let same: boolean | null = null;
  return {
    root: dir,
    lockDir: dir,
    async begin() {
      await fsp.mkdir(dir, { recursive: true });
      // Files of another revision (the repo changed since the last try) must not mix with this one's.
      if ((await partsCommit()) !== commit) {
        // An update of a complete folder starts it over: it is not complete while that runs.
        await fsp.rm(path.join(dir, COMPLETE_MARKER), { force: true });
        for (const name of await fsp.readdir(dir)) {
          if (!name.startsWith('.hone-')) await fsp.rm(path.join(dir, name), { recursive: true, force: true });
        }
      }
      same = true;
      await fsp.writeFile(path.join(dir, STATE_FILE), JSON.stringify({ repo, revision: commit }));
    },
    job: jobOf,
    async have(f) {
      if (same === null) same = (await partsCommit()) === commit;
      return same ? partial(jobOf(f), f.size ?? 0) : 0;
    },
    async done(f) {
      return same === true && complete(jobOf(f).final, f.size);
    },
    async finish(files) {
      const done: CompleteMarker = {
        repo,
        revision: commit,
        ref,
        sizeBytes: files.reduce((n, f) => n + (f.size ?? 0), 0),
        files: files.map((f) => ({ name: f.name, size: f.size ?? 0 })),
        completedAt: new Date().toISOString(),
      };
      const tmp = path.join(dir, `${COMPLETE_MARKER}.tmp`);
      await fsp.writeFile(tmp, JSON.stringify(done, null, 2));
      await fsp.rename(tmp, path.join(dir, COMPLETE_MARKER));
      await fsp.rm(path.join(dir, STATE_FILE), { force: true });
      return dir;
    },
  };
}
