/** Reads a repo's file list and file metadata from the Hub's model API, every call through withRetry. */
import { HoneError } from '../../shared/errors';
import { fileUrl, infoUrl } from './hub';
import { noNetworkError } from './hub-errors';
import { errorContext, hubRequest, responseError, type HubSession } from './http';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry';

export type { HubSession } from './http';

export interface HubFile {
  /** Path inside the repo, "/"-separated. */
  name: string;
  size: number | null;
  /** The LFS object's sha256: the content hash of large files. */
  sha256: string | null;
  /** Git blob id (sha1 of "blob <size>\0<content>"): the content hash of small, non-LFS files. */
  gitOid: string | null;
  /** The Hub's ETag when the listing had no hash (a mirror without ?blobs=true): names the cache blob. */
  etag?: string | null;
}

const HASH = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The name of the file's blob in the HF cache: what huggingface_hub uses (the Hub's ETag = these hashes).
 * Only a hash qualifies: a value from a server names a path on disk.
 */
export function blobName(f: HubFile): string | null {
  return [f.sha256, f.gitOid, f.etag].find((v): v is string => typeof v === 'string' && HASH.test(v)) ?? null;
}

/** A repo path that stays inside the folder it is written to: no "..", ".", empty or absolute parts, no backslashes. */
export function safeRepoPath(name: string): boolean {
  return !name.includes('\\') && !name.includes('\0') && name.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

export interface RepoListing {
  repo: string;
  /** The commit the listing belongs to; files are fetched at this commit so they all match. */
  sha: string;
  gated: boolean;
  files: HubFile[];
}

export interface CallOptions {
  retry?: RetryPolicy;
  /** Told before each wait (a 429's countdown, a backoff), for progress lines. */
  onWait?(ms: number, why: Error): void;
}

interface ApiSibling {
  rfilename?: unknown;
  size?: unknown;
  blobId?: unknown;
  lfs?: { sha256?: unknown; size?: unknown } | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

export function parseListing(repo: string, body: unknown): RepoListing {
  const b = (body ?? {}) as { sha?: unknown; gated?: unknown; siblings?: unknown };
  if (!Array.isArray(b.siblings)) throw new HoneError('INTERNAL', `The Hub's answer for ${repo} has no file list.`);
  const files: HubFile[] = [];
  for (const s of b.siblings as ApiSibling[]) {
    const name = str(s.rfilename);
    // A mirror's listing names paths on this disk: anything that could climb out is left out.
    if (!name || !safeRepoPath(name)) continue;
    files.push({
      name,
      size: num(s.lfs?.size) ?? num(s.size),
      sha256: str(s.lfs?.sha256),
      gitOid: s.lfs ? null : str(s.blobId),
    });
  }
  // "gated" is false, or "auto"/"manual" (how access is granted).
  return { repo, sha: str(b.sha) ?? 'main', gated: b.gated !== false && b.gated !== undefined && b.gated !== null, files };
}

/** withRetry with the Hub's messages: transport failures that outlast the tries become NO_NETWORK. */
export function hubRetry<T>(s: HubSession, o: CallOptions, what: (n: number) => Promise<T>, during?: string, madeProgress?: () => Promise<boolean>): Promise<T> {
  return withRetry(what, o.retry ?? DEFAULT_RETRY, { signal: s.signal, onWait: o.onWait, madeProgress, giveUp: (err) => noNetworkError(s.endpoint, err, during, s.proxy) });
}

export async function listRepo(s: HubSession, revision: string, o: CallOptions = {}): Promise<RepoListing> {
  return hubRetry(s, o, async () => {
    const res = await hubRequest(s, infoUrl(s.endpoint, s.repo, revision), { headers: { accept: 'application/json' } });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw responseError(res, errorContext(s, { revision }));
    }
    return parseListing(s.repo, await res.json());
  });
}

/** The Hub's current commit for a revision: the listing's sha (the API answers it without the file sizes). */
export async function currentCommit(s: HubSession, revision: string, o: CallOptions = {}): Promise<string> {
  return (await listRepo(s, revision, o)).sha;
}

/**
 * Size and ETag of one file when the listing left them out: the resolve endpoint answers HEAD with
 * X-Linked-Size / X-Linked-Etag (LFS files, on the redirect to the CDN, which is not followed) or
 * Content-Length / ETag; relative redirects (a renamed repo) are followed.
 */
export async function headFile(s: HubSession, revision: string, file: string, o: CallOptions = {}): Promise<{ size: number | null; etag: string | null }> {
  return hubRetry(s, o, async () => {
    // identity: a compressed answer's Content-Length is not the file's size.
    const res = await hubRequest(s, fileUrl(s.endpoint, s.repo, revision, file), { method: 'HEAD', followCrossHost: false, headers: { 'accept-encoding': 'identity' } });
    if (res.status >= 400) throw responseError(res, errorContext(s, { file, revision }));
    const h = res.headers;
    const raw = h.get('x-linked-size') ?? h.get('content-length');
    const n = raw === null ? NaN : Number(raw);
    const etag = (h.get('x-linked-etag') ?? h.get('etag'))?.replace(/^W\//, '').replace(/"/g, '') || null;
    return { size: Number.isFinite(n) && n >= 0 ? n : null, etag };
  });
}

/** Kept for callers of the old name. */
export async function headSize(s: HubSession, revision: string, file: string): Promise<number | null> {
  return (await headFile(s, revision, file)).size;
}
