import { REQUEST_CHANNELS, type RequestChannel, type RequestHandlers } from '../shared/contract';
import { HoneError, toErrorInfo, type ErrorInfo } from '../shared/errors';
import { parseParams } from './validate';

const ALLOWED = new Set<string>(REQUEST_CHANNELS);

export function isRequestChannel(channel: unknown): channel is RequestChannel {
  return typeof channel === 'string' && ALLOWED.has(channel);
}

/**
 * The one place a transport (Electron IPC, the headless WebSocket) turns (channel, params) into a handler
 * call: unknown channels are refused, params are checked against the channel's schema (params.ts) before the
 * handler runs, and every failure, thrown or rejected, leaves as {code, message, hint}. It never throws.
 */
export async function dispatch(
  handlers: RequestHandlers,
  channel: unknown,
  params: unknown,
): Promise<{ ok: true; result: unknown } | { ok: false; error: ErrorInfo }> {
  try {
    if (!isRequestChannel(channel)) throw new HoneError('BAD_REQUEST', `Unknown request "${String(channel).slice(0, 100)}".`);
    const checked = parseParams(channel, params);
    const handler = handlers[channel] as (p: unknown) => Promise<unknown>;
    return { ok: true, result: await handler(checked) };
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) };
  }
}
