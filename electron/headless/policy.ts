/**
 * The headless server's decisions, as plain functions: who may talk to it (loopback Host, Hone's exact
 * origin, the token), what every response carries, and which files it may serve.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type http from 'node:http';

export const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The static-files cookie. `__Host-` pins it to this host, path / and Secure: Chromium and Firefox treat
 * http://127.0.0.1 and http://localhost as secure contexts and keep such a cookie (checked against real
 * Chromium in e2e/cross-origin.spec.ts). Its value is NOT the token: cookies ignore ports, so every other
 * service on 127.0.0.1 receives it; it only lets the page load its own HTML, scripts and styles, and never
 * opens the WebSocket (that takes the token itself).
 */
export const COOKIE = '__Host-hone_session';

/** Pages allowed to open the WebSocket: Hone's own, by the exact origins its port can be reached by. */
export function allowedOrigins(port: number): Set<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`]);
}

/** The Host header names a loopback address (so a DNS-rebinding page's Host is refused). */
export function hostAllowed(host: string | undefined): boolean {
  return LOOPBACK_HOSTS.has((host ?? '').replace(/:\d+$/, '').toLowerCase());
}

export function sameSecret(given: string | null | undefined, secret: string): boolean {
  if (!given) return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(secret).digest();
  return crypto.timingSafeEqual(a, b);
}

export function bearer(req: http.IncomingMessage): string | null {
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice(7) : null;
}

export function cookieValue(req: http.IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/**
 * A cookie-only request from another page (another port on 127.0.0.1 is "same-site", not "same-origin") is
 * refused even though the browser attached the cookie. Non-browser clients send no Sec-Fetch-Site.
 */
export function fetchSiteAllowed(req: http.IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** On every response, errors included. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * The file under `root` a URL path names, or null when it would leave root (`..`, an encoded `..`, a sibling
 * folder whose name starts like root's, a symlink pointing out). Decoding errors are the caller's 400.
 */
export function resolveStatic(root: string, urlPath: string): string | null {
  const pathname = decodeURIComponent(urlPath);
  if (pathname.includes('\0')) return null;
  const file = path.resolve(root, `.${pathname}`);
  if (!inside(root, file)) return null;
  try {
    // Follow links: a link inside the renderer folder must not lead out of it either.
    const real = fs.realpathSync(file);
    if (!inside(fs.realpathSync(root), real)) return null;
  } catch {
    // Missing file: the caller falls back to index.html.
  }
  return file;
}

function inside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}
