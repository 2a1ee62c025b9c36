/**
 * Downloads one file of a repo into `<name>.part`, resuming from what is already there
 * (Range: bytes=N-), checks it against the Hub's size and hash, then renames it into place so a
 * half-written file never carries the final name.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import { authHeaders, type HubFile, type HubSession } from './hub-client';
import { fileUrl } from './hub';
import { cancelledError, httpError, isNetworkError, noNetworkError, RetryableError } from './hub-errors';

export interface FetchFileOptions {
  session: HubSession;
  revision: string;
  file: HubFile;
  dir: string;
  /** Tries after a failure that made no progress; any progress resets the count. */
  retries: number;
  retryDelayMs: number;
  /** A connection that sends nothing for this long is dropped and resumed. */
  idleTimeoutMs: number;
  /** Bytes added to (or, when a partial file is thrown away, removed from) disk. */
  onBytes(delta: number): void;
}

class IntegrityError extends Error {}

export async function sizeOnDisk(p: string): Promise<number | null> {
  try {
    return (await fsp.stat(p)).size;
  } catch {
    return null;
  }
}

export function localPaths(dir: string, name: string): { final: string; part: string } {
  const final = path.join(dir, ...name.split('/'));
  return { final, part: `${final}.part` };
}

/** Returns the file's size once it is in place. */
export async function fetchFile(o: FetchFileOptions): Promise<number> {
  const { final, part } = localPaths(o.dir, o.file.name);
  const done = await sizeOnDisk(final);
  if (done !== null && (o.file.size === null || done === o.file.size)) return done;
  await fsp.mkdir(path.dirname(final), { recursive: true });
  let failures = 0;
  let corrupt = 0;
  for (;;) {
    const before = (await sizeOnDisk(part)) ?? 0;
    try {
      await attempt(o, part);
      const size = await verify(o.file, part);
      await fsp.rename(part, final);
      return size;
    } catch (err) {
      if (o.session.signal?.aborted) throw cancelledError();
      if (err instanceof IntegrityError) {
        // A corrupt partial file (e.g. the repo changed between sessions): start the file over, once.
        o.onBytes(-((await sizeOnDisk(part)) ?? 0));
        await fsp.rm(part, { force: true });
        if (++corrupt > 1) {
          throw new HoneError('INTERNAL', `${o.file.name} of ${o.session.repo} did not match the Hub's checksum twice (${err.message}).`, 'Download again; if it keeps failing, the connection may be altering data (a proxy?).');
        }
        continue;
      }
      if (!isNetworkError(err)) throw err;
      if (((await sizeOnDisk(part)) ?? 0) > before) failures = 0;
      if (++failures > o.retries) throw noNetworkError(o.session.endpoint, err, `${o.file.name} of ${o.session.repo}`);
      await sleep(o.retryDelayMs * 2 ** (failures - 1), o.session.signal);
    }
  }
}

async function attempt(o: FetchFileOptions, part: string): Promise<void> {
  const size = o.file.size;
  let offset = (await sizeOnDisk(part)) ?? 0;
  if (size !== null && offset > size) {
    o.onBytes(-offset);
    await fsp.rm(part, { force: true });
    offset = 0;
  }
  if (size !== null && offset === size && (offset > 0 || fs.existsSync(part))) return;

  const idle = new AbortController();
  let timer = setTimeout(() => idle.abort(), o.idleTimeoutMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(), o.idleTimeoutMs);
  };
  const signal = o.session.signal ? AbortSignal.any([o.session.signal, idle.signal]) : idle.signal;
  const headers: Record<string, string> = { ...authHeaders(o.session.token), ...(offset > 0 ? { range: `bytes=${offset}-` } : {}) };
  try {
    const res = await o.session.fetch(fileUrl(o.session.endpoint, o.session.repo, o.revision, o.file.name), { headers, signal });
    if (res.status === 416) {
      await res.body?.cancel();
      // "bytes */N": our partial file already holds all N bytes (possible when the size was unknown).
      const total = Number(/\*\/(\d+)/.exec(res.headers.get('content-range') ?? '')?.[1]);
      if (total === offset) return;
      o.onBytes(-offset);
      await fsp.rm(part, { force: true });
      throw new RetryableError('the Hub refused to resume this file; starting it over');
    }
    if (!res.ok) throw httpError(res, { endpoint: o.session.endpoint, repo: o.session.repo, file: o.file.name, hasToken: o.session.token !== null });
    let append = false;
    if (res.status === 206) {
      const start = Number(/^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1]);
      if (start !== offset) {
        await res.body?.cancel();
        o.onBytes(-offset);
        await fsp.rm(part, { force: true });
        throw new RetryableError(`the Hub resumed at byte ${start}, not ${offset}; starting the file over`);
      }
      append = true;
    } else if (offset > 0) {
      // 200 to a Range request: the server (a mirror, a proxy) sends the whole file again.
      o.onBytes(-offset);
    }
    const fh = await fsp.open(part, append ? 'a' : 'w');
    try {
      if (res.body) {
        for await (const chunk of res.body) {
          touch();
          await fh.write(chunk);
          o.onBytes(chunk.length);
        }
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (err) {
    if (idle.signal.aborted && !o.session.signal?.aborted) throw new RetryableError(`no data for ${Math.round(o.idleTimeoutMs / 1000)} s`);
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
      throw new HoneError('DISK_FULL', `The disk filled up while downloading ${o.file.name}.`, 'Free some space (or pick another data folder in Settings), then download again: it resumes.');
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Size first (cheap), then the content hash the Hub published: sha256 for LFS files, the git blob id
 * for small ones. Hashing reads the file once more; doing it while streaming would not survive resumes.
 */
async function verify(file: HubFile, part: string): Promise<number> {
  const size = (await sizeOnDisk(part)) ?? 0;
  if (file.size !== null && size !== file.size) throw new IntegrityError(`${size} bytes, expected ${file.size}`);
  if (file.sha256) {
    const got = await hashFile(part, createHash('sha256'));
    if (got !== file.sha256) throw new IntegrityError(`sha256 ${got.slice(0, 12)}…, expected ${file.sha256.slice(0, 12)}…`);
  } else if (file.gitOid) {
    const h = createHash('sha1').update(`blob ${size}\0`);
    const got = await hashFile(part, h);
    if (got !== file.gitOid) throw new IntegrityError(`git blob ${got.slice(0, 12)}…, expected ${file.gitOid.slice(0, 12)}…`);
  }
  return size;
}

async function hashFile(p: string, h: ReturnType<typeof createHash>): Promise<string> {
  for await (const chunk of fs.createReadStream(p)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelledError());
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(cancelledError());
    }, { once: true });
  });
}
