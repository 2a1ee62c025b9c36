import { REQUEST_CHANNELS, type RequestChannel, type RequestHandlers } from '../shared/contract';
import { HoneError, toErrorInfo, type ErrorInfo } from '../shared/errors';

const ALLOWED = new Set<string>(REQUEST_CHANNELS);

export function isRequestChannel(channel: unknown): channel is RequestChannel {
  return typeof channel === 'string' && ALLOWED.has(channel);
}

/**
 * The one place a transport turns (channel, params) into a handler call; unknown channels are refused,
 * and every failure leaves as {code, message, hint}.
 */
export async function dispatch(
  handlers: RequestHandlers,
  channel: unknown,
  params: unknown,
): Promise<{ ok: true; result: unknown } | { ok: false; error: ErrorInfo }> {
  try {
    if (!isRequestChannel(channel)) throw new HoneError('BAD_REQUEST', `Unknown request "${String(channel)}".`);
    const handler = handlers[channel] as (p: unknown) => Promise<unknown>;
    return { ok: true, result: await handler(params) };
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) };
  }
}
