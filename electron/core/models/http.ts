/**
 * How Hone talks HTTP to the Hub: which endpoint (a mirror such as hf-mirror.com), through which proxy,
 * and the request itself with its redirects followed by hand, so that the access token goes only to the
 * Hub endpoint's own origin and never to the CDN a file redirects to (presigned URLs need no token, and a
 * token sent there would leak to a third host). Relative redirects (a renamed repo) keep it.
 *
 * Proxies: Node's fetch ignores HTTPS_PROXY, so requests go through undici's EnvHttpProxyAgent, which
 * honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY. The environment wins over Settings, as for Hone's other
 * settings (OLLAMA_HOST, HONE_PYTHON); without either, the Electron shell may pass the system proxy
 * (a resolver over Chromium's proxy configuration, PAC included).
 */
import path from 'node:path';
import { EnvHttpProxyAgent, ProxyAgent, fetch as undiciFetch, type Dispatcher } from 'undici';
import { HoneError } from '../../shared/errors';
import type { CoreContext } from '../context';
import { expandUser } from './hf-cache';
import { DEFAULT_ENDPOINT } from './hub';
import { httpError, type HubErrorContext } from './hub-errors';
import { parseRateLimit, rateLimitWait } from './retry';

export type EndpointSource = 'settings' | 'HF_ENDPOINT' | 'default';
export type ProxySource = 'settings' | 'HTTPS_PROXY' | 'HTTP_PROXY' | 'system' | null;

export interface HubNetwork {
  endpoint: string;
  endpointFrom: EndpointSource;
  /** The proxy in use for the endpoint, when one is set explicitly (Settings or the environment). */
  proxy: string | null;
  proxyFrom: ProxySource;
  noProxy: string;
}

/** Asks the OS (through Electron) which proxy serves a URL: a PAC answer such as "PROXY host:8080; DIRECT". */
export type SystemProxyResolver = (url: string) => Promise<string>;

const clean = (v: string | undefined | null) => (v ?? '').trim();

export function checkUrlSetting(value: string, what: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new HoneError('BAD_REQUEST', `${what} "${value}" is not a URL.`, 'Write it in full, e.g. http://proxy.example.com:8080 or https://hf-mirror.com.');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new HoneError('BAD_REQUEST', `${what} must be an http:// or https:// address, not ${u.protocol}`, 'SOCKS proxies are not supported; use an HTTP proxy.');
  }
  return value.replace(/\/+$/, '');
}

/** HF_ENDPOINT is the Hub's own convention (mirrors), so users who set it keep it. */
export function hubNetwork(env: NodeJS.ProcessEnv, settings: { hubEndpoint?: string | null; hubProxy?: string | null } = {}): HubNetwork {
  const fromEnv = clean(env.HF_ENDPOINT);
  const fromSettings = clean(settings.hubEndpoint);
  const endpoint = (fromEnv || fromSettings || DEFAULT_ENDPOINT).replace(/\/+$/, '');
  const endpointFrom: EndpointSource = fromEnv ? 'HF_ENDPOINT' : fromSettings ? 'settings' : 'default';
  const https = clean(env.https_proxy) || clean(env.HTTPS_PROXY);
  const http = clean(env.http_proxy) || clean(env.HTTP_PROXY);
  const noProxy = clean(env.no_proxy) || clean(env.NO_PROXY);
  const secure = endpoint.startsWith('https:');
  let proxy: string | null = null;
  let proxyFrom: ProxySource = null;
  if (secure ? https || http : http) {
    proxy = secure ? https || http : http;
    proxyFrom = secure && https ? 'HTTPS_PROXY' : 'HTTP_PROXY';
  } else if (!https && !http && clean(settings.hubProxy)) {
    proxy = clean(settings.hubProxy);
    proxyFrom = 'settings';
  }
  return { endpoint, endpointFrom, proxy, proxyFrom, noProxy };
}

export function networkFor(ctx: CoreContext): HubNetwork {
  return hubNetwork(ctx.env, ctx.settings.get());
}

/**
 * A fetch for the Hub. An explicit proxy (environment or Settings) goes through EnvHttpProxyAgent with
 * NO_PROXY; otherwise the system resolver, when given, picks per URL; otherwise direct.
 */
export function hubFetch(env: NodeJS.ProcessEnv, settings: { hubProxy?: string | null }, system?: SystemProxyResolver): typeof fetch {
  const https = clean(env.https_proxy) || clean(env.HTTPS_PROXY);
  const http = clean(env.http_proxy) || clean(env.HTTP_PROXY);
  const fromSettings = clean(settings.hubProxy);
  const noProxy = clean(env.no_proxy) || clean(env.NO_PROXY);
  let dispatcher: Dispatcher | null = null;
  if (https || http || fromSettings) {
    // Explicit values only (never undici's own read of process.env), so a context's env is the whole truth.
    dispatcher = withoutExperimentalWarning(() => new EnvHttpProxyAgent({ httpProxy: https || http ? http : fromSettings, httpsProxy: https || http ? https || http : fromSettings, noProxy }));
  }
  const viaSystem = new Map<string, Dispatcher>();
  const pick = async (url: string): Promise<Dispatcher | undefined> => {
    if (dispatcher) return dispatcher;
    if (!system) return undefined;
    const uri = parsePac(await system(url).catch(() => 'DIRECT'));
    if (!uri) return undefined;
    let d = viaSystem.get(uri);
    if (!d) viaSystem.set(uri, (d = new ProxyAgent(uri)));
    return d;
  };
  const f = async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const d = await pick(url);
    return undiciFetch(url, { ...(init as object), ...(d ? { dispatcher: d } : {}) } as Parameters<typeof undiciFetch>[1]);
  };
  return f as unknown as typeof fetch;
}

/**
 * undici marks EnvHttpProxyAgent experimental with a process warning, which `hone download` would print to
 * every user behind a proxy; that one warning is dropped, any other passes.
 */
function withoutExperimentalWarning<T>(make: () => T): T {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const code = (rest[0] as { code?: string } | undefined)?.code;
    if (code === 'UNDICI-EHPA') return;
    (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return make();
  } finally {
    process.emitWarning = emit;
  }
}

/** The first usable entry of a PAC answer: "PROXY h:p" / "HTTPS h:p" -> a URL; DIRECT or SOCKS -> null. */
export function parsePac(answer: string): string | null {
  for (const part of answer.split(';')) {
    const m = /^\s*(PROXY|HTTPS|HTTP)\s+(\S+)\s*$/i.exec(part);
    if (m) return `${m[1].toUpperCase() === 'HTTPS' ? 'https' : 'http'}://${m[2]}`;
    if (/^\s*DIRECT\s*$/i.test(part)) return null;
  }
  return null;
}

export interface HubSession {
  endpoint: string;
  repo: string;
  token: string | null;
  /** Where the token came from, for messages. */
  tokenLabel?: string;
  /** The proxy in use, for messages. */
  proxy?: string | null;
  signal?: AbortSignal;
  fetch: typeof fetch;
}

export function errorContext(s: HubSession, extra: { file?: string; revision?: string } = {}): HubErrorContext {
  return { endpoint: s.endpoint, repo: s.repo, hasToken: s.token !== null, tokenLabel: s.tokenLabel, ...extra };
}

/** A non-2xx answer as an error; a 429 carries the wait the Hub asked for. */
export function responseError(res: Response, c: HubErrorContext): Error {
  return httpError(res, c, { seconds: res.status === 429 ? rateLimitWait(res.headers) : null, resource: parseRateLimit(res.headers)?.resource ?? null });
}

const MAX_REDIRECTS = 10;

export interface HubRequestInit {
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** false: stop at a redirect to another host and return it (its X-Linked-* headers describe the file). */
  followCrossHost?: boolean;
}

/** One Hub request, redirects followed by hand; the token is sent only to the endpoint's origin. */
export async function hubRequest(s: HubSession, url: string, init: HubRequestInit = {}): Promise<Response> {
  const origin = new URL(s.endpoint).origin;
  let current = url;
  for (let hop = 0; ; hop++) {
    const here = new URL(current);
    const headers: Record<string, string> = { ...init.headers };
    if (s.token && here.origin === origin) headers.authorization = `Bearer ${s.token}`;
    const res = await s.fetch(current, { method: init.method ?? 'GET', headers, signal: init.signal ?? s.signal, redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status < 300 || res.status > 399 || !location) return res;
    await res.body?.cancel().catch(() => undefined);
    const next = new URL(location, current);
    if (next.origin !== here.origin && init.followCrossHost === false) return res;
    if (hop >= MAX_REDIRECTS) throw new Error(`Too many redirects from ${url}`);
    current = next.href;
  }
}

/**
 * Settings' Hub fields, checked before they are saved: full http(s) URLs for the endpoint and the proxy,
 * an absolute folder for models ("~" allowed). Empty means "not set".
 */
export function checkHubSettings<T extends { hubEndpoint?: string | null; hubProxy?: string | null; modelsDir?: string | null }>(patch: T, env: NodeJS.ProcessEnv): T {
  const out = { ...patch };
  const norm = (v: string | null | undefined) => (v === undefined ? undefined : v === null || !v.trim() ? null : v.trim());
  if ('hubEndpoint' in patch) out.hubEndpoint = norm(patch.hubEndpoint) && checkUrlSetting(norm(patch.hubEndpoint)!, 'The Hub endpoint');
  if ('hubProxy' in patch) out.hubProxy = norm(patch.hubProxy) && checkUrlSetting(norm(patch.hubProxy)!, 'The proxy');
  if ('modelsDir' in patch) {
    const dir = norm(patch.modelsDir);
    if (dir) {
      const full = expandUser(dir, env);
      if (!path.isAbsolute(full)) throw new HoneError('BAD_REQUEST', `The models folder "${dir}" is not an absolute path.`, 'Give the whole path, e.g. /data/models or D:\\Models.');
      out.modelsDir = path.normalize(full);
    } else out.modelsDir = null;
  }
  return out;
}
