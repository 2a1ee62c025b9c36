/**
 * Whether a finished download is still the Hub's current commit of its revision, and what an update would
 * fetch (in the HF cache, only files whose content changed: the others' blobs are already here). Chat
 * template fixes, tokenizer fixes and config fixes upstream arrive this way.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { UpdateCheck } from '../../shared/types/model-storage';
import type { CoreContext } from '../context';
import { COMMIT } from './hf-cache';
import { fileUrl } from './hub';
import { blobName, hubRetry, listRepo, type HubFile } from './hub-client';
import { errorContext, hubRequest, responseError } from './http';
import { findDownloaded, pinnedRevision } from './local';
import { hubSessionFor, offlineMode } from './manager';
import { resolveModel } from './resolve';
import { DEFAULT_RETRY } from './retry';
import { parseWeightMap, selectFiles, weightIndexName } from './select-files';

export async function checkUpdate(ctx: CoreContext, model: string, opts: { signal?: AbortSignal; fetch?: typeof fetch } = {}): Promise<UpdateCheck> {
  const target = resolveModel(ctx, model);
  if (target.kind === 'local') throw new HoneError('BAD_REQUEST', `${target.path} is a local folder: it has no Hub revision to compare.`);
  const repo = target.repo;
  const revision = pinnedRevision(ctx, repo) ?? 'main';
  const local = findDownloaded(ctx, repo, revision === 'main' ? undefined : revision);
  if (!local) throw new HoneError('MODEL_NOT_FOUND', `${repo} is not downloaded yet.`, 'Download it first.');
  const none: UpdateCheck = { repo, revision, localCommit: local.revision, remoteCommit: local.revision, updateAvailable: false, files: 0, bytes: 0 };
  if (COMMIT.test(revision) || offlineMode(ctx.env)) return none;
  const s = await hubSessionFor(ctx, repo, { signal: opts.signal, fetch: opts.fetch });
  // One quick try: this runs in the background of the Model step, and offline it simply has no answer.
  const quick = { retry: { ...DEFAULT_RETRY, retries: 1, maxServerWaitMs: 0 } };
  const listing = await listRepo(s, revision, quick);
  if (listing.sha === local.revision) return { ...none, remoteCommit: listing.sha };
  const indexName = weightIndexName(listing.files);
  let weightMap: string[] | null = null;
  if (indexName) {
    const text = await hubRetry(s, quick, async () => {
      const res = await hubRequest(s, fileUrl(s.endpoint, repo, listing.sha, indexName));
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        throw responseError(res, errorContext(s, { file: indexName, revision: listing.sha }));
      }
      return res.text();
    });
    weightMap = parseWeightMap(repo, indexName, text);
  }
  const files = selectFiles(repo, listing.files, weightMap);
  const changed: HubFile[] = [];
  const inCache = local.path.includes(`${path.sep}snapshots${path.sep}`);
  for (const f of files) {
    // In the cache a file whose blob is here costs nothing; a plain folder is fetched again whole.
    const blob = blobName(f);
    const here = inCache && blob ? await fsp.stat(path.join(path.dirname(path.dirname(local.path)), 'blobs', blob)).then(() => true, () => false) : false;
    if (!here) changed.push(f);
  }
  return {
    repo,
    revision,
    localCommit: local.revision,
    remoteCommit: listing.sha,
    updateAvailable: true,
    files: changed.length,
    bytes: changed.reduce((n, f) => n + (f.size ?? 0), 0),
  };
}
