/** The Hub's failures, turned into messages that say what to do. */
import { HoneError } from '../../shared/errors';
import { modelPageUrl } from './hub';

export const OFFLINE_HINT = 'A local model folder (with config.json and safetensors) works offline: pick "Use a local folder".';

/** Raised for failures worth another try (dropped connection, 5xx, 429): the file resumes from its .part. */
export class RetryableError extends Error {}

export function cancelledError(): HoneError {
  return new HoneError('CANCELLED', 'Download cancelled.', 'Start it again: it resumes where it stopped.');
}

export function gatedError(endpoint: string, repo: string, hasToken: boolean, status: number): HoneError {
  const page = modelPageUrl(endpoint, repo);
  if (!hasToken) {
    return new HoneError(
      'GATED_MODEL',
      `${repo} is a gated model: the Hub only serves it to signed-in users who accepted its licence.`,
      `Accept the licence on ${page}, then add a Hugging Face access token (read) in the Model step and download again.`,
    );
  }
  if (status === 401) {
    return new HoneError('GATED_MODEL', `The Hub rejected your access token for ${repo} (invalid or expired).`, `Create a new read token at ${endpoint}/settings/tokens and save it in the Model step.`);
  }
  return new HoneError(
    'GATED_MODEL',
    `Your Hugging Face account has no access to ${repo} yet.`,
    `Accept the licence on ${page} with the account the token belongs to (approval can take a while), then download again.`,
  );
}

/** Maps a non-2xx answer. The Hub names its reason in X-Error-Code (RepoNotFound, GatedRepo, EntryNotFound). */
export function httpError(res: Response, ctx: { endpoint: string; repo: string; file?: string; hasToken: boolean }): Error {
  const code = res.headers.get('x-error-code') ?? '';
  const what = ctx.file ? `${ctx.file} of ${ctx.repo}` : ctx.repo;
  if (code === 'RepoNotFound' || (res.status === 404 && !ctx.file)) {
    return new HoneError(
      'MODEL_NOT_FOUND',
      `No model ${ctx.repo} on the Hub (${ctx.endpoint}).`,
      ctx.hasToken ? 'Check the repo id (owner/name).' : 'Check the repo id (owner/name); if it is private, add an access token that can read it.',
    );
  }
  if (code === 'EntryNotFound' || res.status === 404) {
    return new HoneError('MODEL_NOT_FOUND', `The Hub has no file ${what}.`, 'The repo changed while downloading: start the download again.');
  }
  if (code === 'GatedRepo' || res.status === 401 || res.status === 403) return gatedError(ctx.endpoint, ctx.repo, ctx.hasToken, res.status);
  if (res.status === 429 || res.status >= 500) return new RetryableError(`the Hub answered ${res.status} for ${what}`);
  return new HoneError('INTERNAL', `The Hub answered ${res.status} ${res.statusText} for ${what}.`);
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** fetch() reports every transport failure as TypeError("fetch failed"|"terminated") with the reason in .cause. */
export function isNetworkError(err: unknown): boolean {
  if (err instanceof RetryableError) return true;
  if (!(err instanceof Error)) return false;
  const cause = (err as { cause?: { code?: string } }).cause;
  if (cause?.code && NETWORK_CODES.has(cause.code)) return true;
  const code = (err as { code?: string }).code;
  if (code && NETWORK_CODES.has(code)) return true;
  return err.name === 'TypeError' && /fetch failed|terminated|other side closed/i.test(err.message);
}

export function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? err.message;
}

export function noNetworkError(endpoint: string, err: unknown, during?: string): HoneError {
  const why = describeNetworkError(err);
  return new HoneError(
    'NO_NETWORK',
    during
      ? `Lost the connection to the Hugging Face Hub while downloading ${during} (${why}).`
      : `Could not reach the Hugging Face Hub at ${endpoint} (${why}).`,
    `Check your connection (and HF_ENDPOINT if you set it), then download again: it resumes where it stopped. ${OFFLINE_HINT}`,
  );
}
