/**
 * Downloads one file into its partial file, resuming from what is already there (Range: bytes=N-),
 * hashing while the bytes stream in, checks size and hash against the Hub's, then renames it into place
 * so a half-written file never carries the final name. The partial file is read again only when it was
 * left by an earlier session (a resume): within one call the running hash survives dropped connections.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import { fileUrl } from './hub';
import type { HubFile } from './hub-client';
import { hubRetry, type CallOptions } from './hub-client';
import { cancelledError, RetryableError } from './hub-errors';
import { errorContext, hubRequest, responseError, type HubSession } from './http';

export interface FileJob {
  file: HubFile;
  /** Where the bytes accumulate (…/blobs/<etag>.hone.incomplete, or <folder>/<name>.part). */
  part: string;
  /** Where the verified file goes. */
  final: string;
}

export interface FetchFileOptions extends CallOptions {
  session: HubSession;
  revision: string;
  job: FileJob;
  /** A connection that sends nothing for this long is dropped and resumed. */
  idleTimeoutMs: number;
  /** Bytes added to (or, when a partial file is thrown away, removed from) disk. */
  onBytes(delta: number): void;
  /** While a resumed partial file is read to restore its hash: bytes read of how many. */
  onVerify?(done: number, total: number): void;
}

class IntegrityError extends Error {}

export async function sizeOnDisk(p: string): Promise<number | null> {
  try {
    return (await fsp.stat(p)).size;
  } catch {
    return null;
  }
}

/** Where a file of the repo lands in a plain folder, and its partial file. */
export function localPaths(dir: string, name: string): { final: string; part: string } {
  const final = path.join(dir, ...name.split('/'));
  return { final, part: `${final}.part` };
}

type Expected = { kind: 'sha256' | 'git'; hex: string } | null;

/** The hash the Hub published: sha256 for LFS files, the git blob id for small ones; an ETag is one of the two. */
function expectedHash(f: HubFile): Expected {
  if (f.sha256) return { kind: 'sha256', hex: f.sha256 };
  // A git blob id hashes the size first: without a size there is nothing to check it against.
  if (f.gitOid && f.size !== null) return { kind: 'git', hex: f.gitOid };
  if (f.etag && /^[0-9a-f]{64}$/.test(f.etag)) return { kind: 'sha256', hex: f.etag };
  if (f.etag && /^[0-9a-f]{40}$/.test(f.etag) && f.size !== null) return { kind: 'git', hex: f.etag };
  return null;
}

/** The running hash of the partial file's bytes; `bytes` says how many it has seen. */
class StreamHash {
  bytes = 0;
  private h: Hash | null;
  constructor(private readonly expected: Expected, private readonly size: number | null) {
    this.h = this.fresh();
  }
  private fresh(): Hash | null {
    if (!this.expected) return null;
    // A git blob id hashes a "blob <size>\0" header first, so the size must be known up front.
    return this.expected.kind === 'sha256' ? createHash('sha256') : createHash('sha1').update(`blob ${this.size}\0`);
  }
  reset(): void {
    this.h = this.fresh();
    this.bytes = 0;
  }
  update(chunk: Uint8Array): void {
    this.h?.update(chunk);
    this.bytes += chunk.length;
  }
  check(name: string): void {
    if (!this.expected || !this.h) return;
    const got = this.h.digest('hex');
    if (got !== this.expected.hex) throw new IntegrityError(`${this.expected.kind === 'sha256' ? 'sha256' : 'git blob'} ${got.slice(0, 12)}…, expected ${this.expected.hex.slice(0, 12)}… (${name})`);
  }
}

/** Hashes the first `upto` bytes of a partial file left by an earlier session; cancellable, with progress. */
async function seed(hash: StreamHash, part: string, upto: number, o: FetchFileOptions): Promise<void> {
  hash.reset();
  if (upto === 0) return;
  let last = 0;
  for await (const chunk of fs.createReadStream(part, { start: 0, end: upto - 1, highWaterMark: 1 << 20 })) {
    if (o.session.signal?.aborted) throw cancelledError();
    hash.update(chunk as Buffer);
    if (hash.bytes - last >= 64 << 20 || hash.bytes === upto) {
      last = hash.bytes;
      o.onVerify?.(hash.bytes, upto);
    }
  }
}

/** Returns the file's size once it is in place. */
export async function fetchFile(o: FetchFileOptions): Promise<number> {
  const { file, part, final } = o.job;
  const done = await sizeOnDisk(final);
  if (done !== null && (file.size === null || done === file.size)) return done;
  await fsp.mkdir(path.dirname(part), { recursive: true });
  const hash = new StreamHash(expectedHash(file), file.size);
  for (let corrupt = 0; ; corrupt++) {
    let before = 0;
    try {
      await hubRetry(
        o.session,
        { retry: o.retry, onWait: o.onWait },
        async () => {
          before = (await sizeOnDisk(part)) ?? 0;
          await attempt(o, hash);
        },
        `${file.name} of ${o.session.repo}`,
        // Any bytes gained since the last failure start the count of tries again.
        async () => ((await sizeOnDisk(part)) ?? 0) > before,
      );
      const size = (await sizeOnDisk(part)) ?? 0;
      if (file.size !== null && size !== file.size) throw new IntegrityError(`${size} bytes, expected ${file.size}`);
      hash.check(file.name);
      await fsp.rename(part, final);
      return size;
    } catch (err) {
      if (o.session.signal?.aborted) throw cancelledError();
      if (!(err instanceof IntegrityError)) throw err;
      // A corrupt partial file (e.g. damaged on disk between sessions): start the file over, once.
      o.onBytes(-((await sizeOnDisk(part)) ?? 0));
      await fsp.rm(part, { force: true });
      hash.reset();
      if (corrupt >= 1) {
        throw new HoneError('INTERNAL', `${file.name} of ${o.session.repo} did not match the Hub's checksum twice (${err.message}).`, 'Download again; if it keeps failing, the connection may be altering data (a proxy?).');
      }
    }
  }
}

/** One request, appending to the partial file and to the running hash. */
async function attempt(o: FetchFileOptions, hash: StreamHash): Promise<void> {
  const { file, part } = o.job;
  const size = file.size;
  let offset = (await sizeOnDisk(part)) ?? 0;
  const restart = async () => {
    o.onBytes(-offset);
    await fsp.rm(part, { force: true });
    hash.reset();
    offset = 0;
  };
  if (size !== null && offset > size) await restart();
  // The running hash must cover exactly the bytes on disk; only a resume across sessions reads them again.
  if (hash.bytes !== offset) await seed(hash, part, offset, o);
  if (size !== null && offset === size && fs.existsSync(part)) return;

  const idle = new AbortController();
  let timer = setTimeout(() => idle.abort(), o.idleTimeoutMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(), o.idleTimeoutMs);
  };
  const signal = o.session.signal ? AbortSignal.any([o.session.signal, idle.signal]) : idle.signal;
  try {
    const res = await hubRequest(o.session, fileUrl(o.session.endpoint, o.session.repo, o.revision, file.name), { headers: offset > 0 ? { range: `bytes=${offset}-` } : {}, signal });
    if (res.status === 416) {
      await res.body?.cancel();
      // "bytes */N": our partial file already holds all N bytes (possible when the size was unknown).
      const total = Number(/\*\/(\d+)/.exec(res.headers.get('content-range') ?? '')?.[1]);
      if (total === offset) return;
      await restart();
      throw new RetryableError('the Hub refused to resume this file; starting it over');
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw responseError(res, errorContext(o.session, { file: file.name, revision: o.revision }));
    }
    if (res.status === 206) {
      const start = Number(/^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1]);
      if (start !== offset) {
        await res.body?.cancel();
        await restart();
        throw new RetryableError(`the Hub resumed at byte ${start}, not ${offset}; starting the file over`);
      }
    } else if (offset > 0) {
      // 200 to a Range request: the server (a mirror, a proxy, or a CDN compressing text files) sends it all again.
      await restart();
    }
    const fh = await fsp.open(part, offset > 0 ? 'a' : 'w');
    try {
      if (res.body) {
        for await (const chunk of res.body) {
          touch();
          await fh.write(chunk);
          hash.update(chunk);
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
      throw new HoneError('DISK_FULL', `The disk filled up while downloading ${file.name}.`, 'Free some space (or pick another models folder in Settings), then download again: it resumes.');
    }
    // What reached the disk before a drop is hashed already: the next try goes on from there.
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
