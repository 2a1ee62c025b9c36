/**
 * Headless mode: the core behind HTTP + WebSocket on 127.0.0.1, for GPU servers without a desktop and for
 * our end-to-end tests.
 *
 * - Every request's Host must be a loopback name (a DNS-rebinding page cannot reach the server).
 * - HTTP needs the per-launch token (`?token=` on first load, or `Authorization: Bearer`); the first load
 *   sets a `__Host-` session cookie so the page's own scripts and a reload load too. That cookie is a
 *   separate random value, never the token, and is refused on requests another page makes (Sec-Fetch-Site).
 * - The WebSocket opens only from Hone's exact origin (http://127.0.0.1|localhost|[::1]:<port>) or from a
 *   non-browser client that puts the token in the URL; it authenticates with the token (connection.ts),
 *   never with the cookie.
 * - Every response carries the headers in policy.ts (CSP with frame-ancestors 'none', no-referrer, no-store).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Core } from '../core/app';
import { serveConnection } from './connection';
import { allowedOrigins, bearer, COOKIE, cookieValue, fetchSiteAllowed, hostAllowed, resolveStatic, sameSecret, SECURITY_HEADERS } from './policy';

export interface HeadlessOptions {
  core: Core;
  /** Built renderer (dist/renderer). */
  staticDir: string;
  port?: number;
  host?: string;
  token?: string;
  /** Largest WebSocket message accepted; a bigger one closes that connection with 1009. */
  maxPayload?: number;
  /** How long a socket opened without the token in its URL may take to send it (10 s). */
  authTimeoutMs?: number;
  /** Where connection problems are reported (stderr by default). */
  log?: (line: string) => void;
}

export interface HeadlessServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const NEEDS_TOKEN = 'Hone: this server needs the token printed when it started. Open the URL it printed.';

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export async function startHeadless(opts: HeadlessOptions): Promise<HeadlessServer> {
  const token = opts.token ?? crypto.randomBytes(24).toString('base64url');
  const session = crypto.randomBytes(24).toString('base64url');
  const host = opts.host ?? '127.0.0.1';
  const staticRoot = path.resolve(opts.staticDir);
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let origins = new Set<string>();

  const serve = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const reply = (status: number, body: string, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS, ...headers }).end(body);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!hostAllowed(req.headers.host)) return reply(403, 'Forbidden host');
    const given = url.searchParams.get('token') ?? bearer(req);
    let authorised = sameSecret(given, token);
    if (!authorised && given === null) authorised = sameSecret(cookieValue(req, COOKIE), session) && fetchSiteAllowed(req);
    if (!authorised) return reply(401, NEEDS_TOKEN);
    // Only the token sets the cookie; a cookie-authorised request never renews anything.
    const cookie: Record<string, string> = given !== null ? { 'set-cookie': `${COOKIE}=${session}; Path=/; Secure; HttpOnly; SameSite=Strict` } : {};
    if (url.pathname === '/healthz') return reply(200, '{"ok":true}', { 'content-type': 'application/json', ...cookie });
    let file: string | null;
    try {
      file = resolveStatic(staticRoot, url.pathname);
    } catch {
      return reply(400, 'Bad path');
    }
    if (file === null) return reply(404, 'Not found');
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(staticRoot, 'index.html');
    if (!fs.existsSync(file)) return reply(500, 'The renderer is not built: run "npm run build:renderer".');
    const stream = fs.createReadStream(file);
    stream.on('error', (err) => {
      log(`hone: could not read ${file}: ${err.message}`);
      if (!res.headersSent) reply(500, 'Could not read the file.');
      else res.destroy();
    });
    stream.on('open', () => {
      res.writeHead(200, { 'content-type': MIME[path.extname(file!)] ?? 'application/octet-stream', ...SECURITY_HEADERS, ...cookie });
      stream.pipe(res);
    });
  };

  const server = http.createServer((req, res) => {
    try {
      serve(req, res);
    } catch (err) {
      log(`hone: an HTTP request failed: ${String(err)}`);
      if (!res.headersSent) res.writeHead(500, SECURITY_HEADERS).end();
      else res.destroy();
    }
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload ?? 16 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/ws') return refuseUpgrade(socket, 404, 'Not Found');
      if (!hostAllowed(req.headers.host)) return refuseUpgrade(socket, 403, 'Forbidden');
      const origin = req.headers.origin;
      // Browsers always send Origin: only Hone's own page may open the socket, whatever it holds.
      if (origin !== undefined && !origins.has(origin)) return refuseUpgrade(socket, 403, 'Forbidden');
      const given = url.searchParams.get('token') ?? bearer(req);
      if (given !== null && !sameSecret(given, token)) return refuseUpgrade(socket, 401, 'Unauthorized');
      // A client without a browser's Origin must bring the token with it; the app's page sends it as its first message.
      if (given === null && origin === undefined) return refuseUpgrade(socket, 401, 'Unauthorized');
      wss.handleUpgrade(req, socket, head, (ws) => serveConnection(ws, { core: opts.core, token, authenticated: given !== null, authTimeoutMs: opts.authTimeoutMs, log }));
    } catch (err) {
      log(`hone: a WebSocket upgrade failed: ${String(err)}`);
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origins = allowedOrigins(port);
  return {
    url: `http://${host}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
