/**
 * The Hub's failures, turned into messages that say what happened and what to do. The Hub names its
 * reason in X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo) and explains a refusal
 * in X-Error-Message ("…not in the authorized list", "…awaiting a review", "…enable access to public gated
 * repositories in your fine-grained token settings…"): that text is shown as the Hub wrote it.
 */
import { HoneError } from '../../shared/errors';
import { modelPageUrl } from './hub';

export const OFFLINE_HINT = 'A local model folder (with config.json and safetensors) works offline: pick "Use a local folder".';

/**
 * A failure worth another try (dropped connection, 5xx, 429, a refused resume). waitSeconds: what the
 * server asked for (429); final: the error to show if the tries run out.
 */
export class RetryableError extends Error {
  constructor(
    message: string,
    readonly waitSeconds: number | null = null,
    readonly final: HoneError | null = null,
  ) {
    super(message);
  }
}

export function cancelledError(): HoneError {
  return new HoneError('CANCELLED', 'Download cancelled.', 'Start it again: it resumes where it stopped.');
}

export interface HubErrorContext {
  endpoint: string;
  repo: string;
  file?: string;
  revision?: string;
  hasToken: boolean;
  /** Where the token came from, in words ("HF_TOKEN", "the token file of `hf auth login`"), for messages. */
  tokenLabel?: string;
}

const said = (hubMessage: string | null | undefined) => (hubMessage ? ` The Hub says: "${hubMessage.trim().replace(/\.$/, '')}."` : '');

export function gatedError(c: HubErrorContext, status: number, hubMessage?: string | null): HoneError {
  const page = modelPageUrl(c.endpoint, c.repo);
  const tokens = `${c.endpoint}/settings/tokens`;
  const which = c.tokenLabel ? `the access token (${c.tokenLabel})` : 'your access token';
  if (!c.hasToken) {
    return new HoneError(
      'GATED_MODEL',
      `${c.repo} is a gated model: the Hub only serves it to signed-in users who accepted its licence.${said(hubMessage)}`,
      `Accept the licence on ${page}, then add a Hugging Face access token (read) in the Model step, or run \`hf auth login\`, and download again.`,
    );
  }
  if (status === 401) {
    return new HoneError('GATED_MODEL', `The Hub rejected ${which} for ${c.repo} (invalid or expired).${said(hubMessage)}`, `Create a new read token at ${tokens} and save it in the Model step.`);
  }
  const m = hubMessage ?? '';
  if (/fine-grained/i.test(m)) {
    return new HoneError(
      'GATED_MODEL',
      `${c.repo} is gated and ${which} is a fine-grained token without access to public gated repos.${said(hubMessage)}`,
      `On ${tokens}, edit the token and tick "Read access to contents of all public gated repos you can access" (or use a token of type Read), then download again.`,
    );
  }
  if (/awaiting|pending|review/i.test(m)) {
    return new HoneError('GATED_MODEL', `Your request to access ${c.repo} is still awaiting the authors' review.${said(hubMessage)}`, `Hone can download it once they approve it; ${page} shows the status.`);
  }
  if (/authorized list|rejected|not authorized/i.test(m)) {
    return new HoneError('GATED_MODEL', `Your Hugging Face account is not on ${c.repo}'s list of authorised users.${said(hubMessage)}`, `Request access on ${page} with the account ${which} belongs to, then download again.`);
  }
  return new HoneError(
    'GATED_MODEL',
    `Your Hugging Face account has no access to ${c.repo} yet.${said(hubMessage)}`,
    `Accept the licence on ${page} with the account ${which} belongs to (approval can take a while), then download again.`,
  );
}

export function rateLimitedError(c: HubErrorContext, waitSeconds: number | null, resource: string | null): HoneError {
  const wait = waitSeconds != null ? ` It asks to wait ${waitSeconds} s.` : '';
  return new HoneError(
    'RATE_LIMITED',
    `The Hugging Face Hub is rate-limiting this connection${resource ? ` (its "${resource}" limit is reached)` : ''} for ${c.file ? `${c.file} of ${c.repo}` : c.repo}.${wait}`,
    c.hasToken
      ? 'Wait a few minutes, then download again: it resumes where it stopped.'
      : 'Add a Hugging Face access token (or run `hf auth login`): signed-in users get a much higher limit. Or wait a few minutes and download again: it resumes.',
  );
}

/** Maps a non-2xx answer (3xx are followed before this). */
export function httpError(res: Response, c: HubErrorContext, wait: { seconds: number | null; resource: string | null } = { seconds: null, resource: null }): Error {
  const code = res.headers.get('x-error-code') ?? '';
  const hubMessage = res.headers.get('x-error-message');
  const what = c.file ? `${c.file} of ${c.repo}` : c.repo;
  if (code === 'RevisionNotFound') {
    return new HoneError('MODEL_NOT_FOUND', `${c.repo} has no revision "${c.revision ?? 'main'}" on the Hub.${said(hubMessage)}`, 'Use a branch, a tag or a commit id the repo has (its "Files and versions" tab lists them), or leave the revision empty for main.');
  }
  if (code === 'RepoNotFound' || (res.status === 404 && !c.file)) {
    return new HoneError(
      'MODEL_NOT_FOUND',
      `No model ${c.repo} on the Hub (${c.endpoint}).`,
      c.hasToken ? 'Check the repo id (owner/name).' : 'Check the repo id (owner/name); if it is private, add an access token that can read it.',
    );
  }
  if (code === 'EntryNotFound' || res.status === 404) {
    return new HoneError('MODEL_NOT_FOUND', `The Hub has no file ${what}.`, 'The repo changed while downloading: start the download again.');
  }
  if (code === 'GatedRepo' || res.status === 401 || res.status === 403) return gatedError(c, res.status, hubMessage);
  if (res.status === 429) return new RetryableError(`the Hub answered 429 for ${what}`, wait.seconds, rateLimitedError(c, wait.seconds, wait.resource));
  if (res.status === 408 || res.status >= 500) {
    return new RetryableError(
      `the Hub answered ${res.status} for ${what}`,
      null,
      new HoneError('NO_NETWORK', `The Hub answered ${res.status} ${res.statusText} for ${what}, several times.${said(hubMessage)}`, 'The Hub may be busy or down (status.huggingface.co): try again later; the download resumes where it stopped.'),
    );
  }
  return new HoneError('INTERNAL', `The Hub answered ${res.status} ${res.statusText} for ${what}.${said(hubMessage)}`);
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_ABORTED', 'Z_DATA_ERROR', 'Z_BUF_ERROR']);

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
  const code = cause?.code ?? (err as { code?: string }).code;
  const message = cause?.message ?? err.message;
  // undici names a refused tunnel only in the message ("Proxy response (407) !== 200 when HTTP Tunneling").
  return /proxy/i.test(message) ? message : (code ?? message);
}

export function noNetworkError(endpoint: string, err: unknown, during?: string, proxy?: string | null): HoneError {
  const why = describeNetworkError(err);
  const via = proxy ? ` through the proxy ${proxy}` : '';
  return new HoneError(
    'NO_NETWORK',
    during
      ? `Lost the connection to the Hugging Face Hub${via} while downloading ${during} (${why}).`
      : `Could not reach the Hugging Face Hub at ${endpoint}${via} (${why}).`,
    `Check your connection${proxy ? ' and the proxy' : ''} (Settings: Hub endpoint and proxy), then download again: it resumes where it stopped. ${OFFLINE_HINT}`,
  );
}
