/** How failures talking to Ollama become HoneErrors the UI can act on. */
import { HoneError } from '../../shared/errors';

export const OLLAMA_START_HINT =
  'Start Ollama (run `ollama serve`, or open the Ollama app) and try again. Not installed? Get it from https://ollama.com/download. Your run is kept: you can send it later.';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'ECONNABORTED']);

/** True when the error means "nobody answered / the connection died", not "Ollama said no". */
export function isConnectionError(err: unknown): boolean {
  let e: unknown = err;
  // fetch wraps the socket error: TypeError('fetch failed', { cause }) (sometimes nested twice).
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (e instanceof Error && /socket hang up|other side closed|fetch failed/i.test(e.message) && !(e as { cause?: unknown }).cause) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export function unavailable(baseUrl: string, during?: string): HoneError {
  const what = during ? `Ollama at ${baseUrl} stopped answering while ${during}.` : `Ollama is not running at ${baseUrl}.`;
  return new HoneError('OLLAMA_UNAVAILABLE', what, OLLAMA_START_HINT);
}

/** Wraps anything thrown by a request to Ollama. HoneErrors pass through unchanged. */
export function toOllamaError(err: unknown, baseUrl: string, during?: string): HoneError {
  if (err instanceof HoneError) return err;
  if (isConnectionError(err)) return unavailable(baseUrl, during);
  const message = err instanceof Error ? err.message : String(err);
  return new HoneError('OLLAMA_ERROR', `Ollama returned an error${during ? ` while ${during}` : ''}: ${message}`);
}
