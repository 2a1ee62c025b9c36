/**
 * Where Ollama listens. Users write OLLAMA_HOST the way `ollama serve` reads it: `host:port`, `:port`,
 * `http://host:port`, or a bind-all address. A bind-all address (0.0.0.0, ::) is where a server listens, not
 * where a client connects, so we connect to loopback instead.
 */
export const DEFAULT_OLLAMA_HOST = '127.0.0.1:11434';

/** The base URL (no trailing slash) for an OLLAMA_HOST-style value. */
export function ollamaBaseUrl(value: string | null | undefined): string {
  let raw = (value ?? '').trim() || DEFAULT_OLLAMA_HOST;
  if (raw.startsWith(':')) raw = `127.0.0.1${raw}`;
  const explicitScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  let url: URL;
  try {
    url = new URL(explicitScheme ? raw : `http://${raw}`);
  } catch {
    url = new URL(`http://${DEFAULT_OLLAMA_HOST}`);
  }
  // Ollama's own default port applies when none is given without a scheme; with a scheme, the scheme's.
  const port = url.port || (explicitScheme ? (url.protocol === 'https:' ? '443' : '80') : '11434');
  let hostname = url.hostname;
  if (hostname === '0.0.0.0' || hostname === '[::]' || hostname === '::' || hostname === '') hostname = '127.0.0.1';
  const pathname = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${hostname}:${port}${pathname}`;
}
