/**
 * Headless mode: the core behind HTTP + WebSocket on 127.0.0.1, for GPU servers without a desktop and for
 * our end-to-end tests. Every request needs the per-launch token (query `?token=`, the cookie set when the
 * token URL is opened, or `Authorization: Bearer`); the Host header must be a loopback name so a web page
 * cannot reach the server through DNS rebinding.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core } from '../core/app';
import type { WireClientMessage, WireServerMessage } from '../shared/contract';
import { dispatch } from '../transport/dispatch';

export interface HeadlessOptions {
  core: Core;
  /** Built renderer (dist/renderer). */
  staticDir: string;
  port?: number;
  host?: string;
  token?: string;
}

export interface HeadlessServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const COOKIE = 'hone_token';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

function tokenFrom(req: http.IncomingMessage, url: URL): string | null {
  const q = url.searchParams.get('token');
  if (q) return q;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const cookie = req.headers.cookie?.split(';').map((c) => c.trim().split('='));
  const hit = cookie?.find(([k]) => k === COOKIE);
  return hit?.[1] ?? null;
}

function sameToken(a: string | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function hostAllowed(req: http.IncomingMessage): boolean {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  return LOOPBACK_HOSTS.has(host);
}

/** "null" (sandboxed frames, file: pages) and other unparsable origins are not loopback; parsing must not throw here. */
function originIsLoopback(origin: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(origin).hostname);
  } catch {
    return false;
  }
}

export async function startHeadless(opts: HeadlessOptions): Promise<HeadlessServer> {
  const token = opts.token ?? crypto.randomBytes(24).toString('base64url');
  const host = opts.host ?? '127.0.0.1';
  const staticRoot = path.resolve(opts.staticDir);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!hostAllowed(req)) {
      res.writeHead(403).end('Forbidden host');
      return;
    }
    if (!sameToken(tokenFrom(req, url), token)) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('Hone: this server needs the token printed when it started. Open the URL it printed.');
      return;
    }
    const headers: Record<string, string> = {
      'set-cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      'x-content-type-options': 'nosniff',
      'content-security-policy':
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:",
    };
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json', ...headers }).end('{"ok":true}');
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400).end('Bad path');
      return;
    }
    let file = path.resolve(staticRoot, `.${pathname}`);
    if (!file.startsWith(staticRoot)) {
      res.writeHead(404).end();
      return;
    }
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(staticRoot, 'index.html');
    if (!fs.existsSync(file)) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('The renderer is not built: run "npm run build:renderer".');
      return;
    }
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', ...headers });
    fs.createReadStream(file).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const origin = req.headers.origin;
    const originOk = !origin || originIsLoopback(origin);
    if (url.pathname !== '/ws' || !hostAllowed(req) || !originOk || !sameToken(tokenFrom(req, url), token)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    const send = (msg: WireServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    // Events are held until the client says it is ready, so none is lost between connect and subscribe.
    const held: WireServerMessage[] = [];
    let ready = false;
    const off = opts.core.bus.onAny((event, payload) => {
      const msg: WireServerMessage = { event, payload };
      if (ready) send(msg);
      else held.push(msg);
    });
    ws.on('message', async (data) => {
      let msg: WireClientMessage;
      try {
        msg = JSON.parse(String(data)) as WireClientMessage;
      } catch {
        return;
      }
      if ('type' in msg && msg.type === 'ready') {
        ready = true;
        for (const m of held.splice(0)) send(m);
        return;
      }
      if (!('id' in msg)) return;
      const reply = await dispatch(opts.core.handlers, msg.channel, msg.params);
      send({ id: msg.id, ...reply } as WireServerMessage);
    });
    ws.on('close', off);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
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
