/** Reads a repo's file list from the Hub's model API. */
import { HoneError } from '../../shared/errors';
import { fileUrl, infoUrl } from './hub';
import { cancelledError, httpError, isNetworkError, noNetworkError } from './hub-errors';

export interface HubFile {
  /** Path inside the repo, "/"-separated. */
  name: string;
  size: number | null;
  /** The LFS object's sha256: the content hash of large files. */
  sha256: string | null;
  /** Git blob id (sha1 of "blob <size>\0<content>"): the content hash of small, non-LFS files. */
  gitOid: string | null;
}

export interface RepoListing {
  repo: string;
  /** The commit the listing belongs to; files are fetched at this commit so they all match. */
  sha: string;
  gated: boolean;
  files: HubFile[];
}

export interface HubSession {
  endpoint: string;
  repo: string;
  token: string | null;
  signal?: AbortSignal;
  fetch: typeof fetch;
}

export function authHeaders(token: string | null): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** fetch, with aborts and transport failures turned into CANCELLED / NO_NETWORK. */
export async function hubFetch(s: HubSession, url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await s.fetch(url, { ...init, signal: s.signal, headers: { ...authHeaders(s.token), ...(init.headers as Record<string, string>) } });
  } catch (err) {
    if (s.signal?.aborted) throw cancelledError();
    if (isNetworkError(err)) throw noNetworkError(s.endpoint, err);
    throw err;
  }
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
    if (!name) continue;
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

export async function listRepo(s: HubSession, revision: string): Promise<RepoListing> {
  const res = await hubFetch(s, infoUrl(s.endpoint, s.repo, revision), { headers: { accept: 'application/json' } });
  if (!res.ok) throw httpError(res, { endpoint: s.endpoint, repo: s.repo, hasToken: s.token !== null });
  return parseListing(s.repo, await res.json());
}

/**
 * Size of one file when the listing left it out: the resolve endpoint answers HEAD with
 * X-Linked-Size (LFS files, before the CDN redirect) or Content-Length.
 */
export async function headSize(s: HubSession, revision: string, file: string): Promise<number | null> {
  const res = await hubFetch(s, fileUrl(s.endpoint, s.repo, revision, file), { method: 'HEAD', redirect: 'manual' });
  if (res.status >= 400) throw httpError(res, { endpoint: s.endpoint, repo: s.repo, file, hasToken: s.token !== null });
  const n = Number(res.headers.get('x-linked-size') ?? res.headers.get('content-length'));
  return Number.isFinite(n) && n >= 0 && (res.headers.has('x-linked-size') || res.headers.has('content-length')) ? n : null;
}
