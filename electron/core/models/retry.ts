/**
 * The one retry helper every Hub request goes through: exponential backoff for dropped connections and
 * 5xx answers, and, for 429, exactly the wait the Hub asks for. The Hub announces its limits in the IETF
 * draft's `RateLimit: "api";r=0;t=55` header (r: requests left, t: seconds until the window resets) and,
 * on some answers, in `Retry-After`; huggingface_hub (utils/_http.py) prefers RateLimit when r=0 and
 * falls back to Retry-After, and so do we. Every wait can be cancelled.
 */
import { HoneError } from '../../shared/errors';
import { cancelledError, isNetworkError, RetryableError } from './hub-errors';

export interface RateLimitInfo {
  resource: string;
  remaining: number;
  resetSeconds: number;
  /** From RateLimit-Policy ("fixed window";"api";q=500;w=300), when sent. */
  limit: number | null;
  windowSeconds: number | null;
}

const RATELIMIT = /"(\w+)"\s*;\s*r\s*=\s*(\d+)\s*;\s*t\s*=\s*(\d+)/;
const POLICY = /q\s*=\s*(\d+).*?w\s*=\s*(\d+)/;

export function parseRateLimit(headers: Headers): RateLimitInfo | null {
  const m = RATELIMIT.exec(headers.get('ratelimit') ?? '');
  if (!m) return null;
  const p = POLICY.exec(headers.get('ratelimit-policy') ?? '');
  return { resource: m[1], remaining: Number(m[2]), resetSeconds: Number(m[3]), limit: p ? Number(p[1]) : null, windowSeconds: p ? Number(p[2]) : null };
}

/** Seconds to wait: delay-seconds, or an HTTP date (which huggingface_hub ignores; browsers and curl honour it). */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | null {
  const v = headers.get('retry-after')?.trim();
  if (!v) return null;
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** How long a 429 asks us to wait, in seconds: RateLimit when it is the reason (r=0), else Retry-After. */
export function rateLimitWait(headers: Headers): number | null {
  const rl = parseRateLimit(headers);
  if (rl && rl.remaining === 0) return rl.resetSeconds;
  return parseRetryAfter(headers);
}

export interface RetryPolicy {
  /** Tries after the first failure; a try that made progress (see madeProgress) resets the count. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest wait a server may ask for; a longer one fails at once with its own message. */
  maxServerWaitMs: number;
  /**
   * Tries after a failure to connect at all (no DNS, refused, no route): one more, then the offline message
   * (and the demo's PyPI fallback) come at once instead of after half a minute of backoff.
   */
  connectRetries?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseDelayMs: 1000, maxDelayMs: 8000, maxServerWaitMs: 5 * 60_000, connectRetries: 1 };

const CONNECT_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** A failure to reach the server at all, as opposed to one in the middle of an answer. */
export function isConnectFailure(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  return CONNECT_CODES.has(e?.cause?.code ?? '') || CONNECT_CODES.has(e?.code ?? '');
}

export interface RetryHooks {
  signal?: AbortSignal;
  /** Before each wait: how long and why (for a progress line such as "rate-limited, retrying in 55 s"). */
  onWait?(ms: number, err: RetryableError | Error): void;
  /** After a failure: whether that try moved forward (bytes arrived), so the failure count starts again. */
  madeProgress?(): boolean | Promise<boolean>;
  /** The error to throw when the tries run out on a transport failure (not a RetryableError). */
  giveUp?(err: unknown): Error;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelledError());
    const onAbort = () => {
      clearTimeout(t);
      reject(cancelledError());
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, a non-retryable error comes, or the tries run out. Retryable: a
 * RetryableError (5xx, 429, a refused resume) or a transport failure (isNetworkError).
 */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  let failures = 0;
  let unreachable = 0;
  let delay = policy.baseDelayMs;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (hooks.signal?.aborted) throw cancelledError();
      if (err instanceof HoneError || !isNetworkError(err)) throw err;
      if (await hooks.madeProgress?.()) {
        failures = 0;
        delay = policy.baseDelayMs;
      }
      const retryable = err instanceof RetryableError ? err : null;
      const asked = retryable?.waitSeconds;
      if (asked != null && asked * 1000 > policy.maxServerWaitMs) throw retryable!.final ?? err;
      if (++failures > policy.retries) throw retryable?.final ?? hooks.giveUp?.(err) ?? err;
      if (isConnectFailure(err) && ++unreachable > (policy.connectRetries ?? policy.retries)) throw hooks.giveUp?.(err) ?? err;
      // A server-given wait, plus a little for clocks that round down (huggingface_hub adds 1 s).
      const ms = asked != null ? asked * 1000 + 250 : delay;
      delay = Math.min(policy.maxDelayMs, delay * 2);
      hooks.onWait?.(ms, err as Error);
      await sleep(ms, hooks.signal);
    }
  }
}
