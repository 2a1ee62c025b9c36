/**
 * The headless server's guards, against a real core on a real loopback port: every HTTP request needs the
 * per-launch token (or the session cookie its first load sets, which is not the token); a Host that is not
 * loopback is refused (DNS rebinding); the WebSocket opens only from Hone's exact origin or with the token in
 * its URL, and authenticates with the token, never the cookie; every response carries the security headers;
 * files outside the renderer folder are never served.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { createCore, type Core } from '../core/app';
import { startHeadless, type HeadlessServer } from './server';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-headless-'));
const staticDir = path.join(tmp, 'renderer');
const TOKEN = 'test-token-0123456789abcdef';
let core: Core;
let server: HeadlessServer;

before(async () => {
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Hone</title>');
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'outside the renderer');
  // A sibling whose name starts like the renderer folder's: a string-prefix check would serve it.
  fs.mkdirSync(path.join(tmp, 'renderer-evil'));
  fs.writeFileSync(path.join(tmp, 'renderer-evil', 'secret.txt'), 'outside the renderer');
  fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(staticDir, 'assets', 'link.txt'));
  core = createCore({ mode: 'headless', paths: { dataDir: path.join(tmp, 'data') }, env: {} });
  server = await startHeadless({ core, staticDir, token: TOKEN, log: () => undefined });
});

after(async () => {
  await server?.close();
  await core?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.port, path: pathAndQuery, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
  });
}

/** Opens a WebSocket; resolves with the HTTP status of a refused upgrade, or the open socket. */
function ws(query: string, headers: Record<string, string> = {}): Promise<{ status: number; socket?: WebSocket }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`, { headers });
    socket.once('open', () => resolve({ status: 101, socket }));
    socket.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    socket.once('error', () => resolve({ status: 0 }));
  });
}

/** The next message, or the close (code and reason) if the server closes first. */
function next(socket: WebSocket): Promise<{ msg?: Record<string, unknown>; close?: { code: number; reason: string } }> {
  return new Promise((resolve) => {
    const onMessage = (d: WebSocket.RawData) => {
      socket.off('close', onClose);
      resolve({ msg: JSON.parse(String(d)) as Record<string, unknown> });
    };
    const onClose = (code: number, reason: Buffer) => {
      socket.off('message', onMessage);
      resolve({ close: { code, reason: String(reason) } });
    };
    socket.once('message', onMessage);
    socket.once('close', onClose);
  });
}

const ORIGIN = () => `http://127.0.0.1:${server.port}`;
const sessionCookie = async () => String((await get(`/?token=${TOKEN}`)).headers['set-cookie']).split(';')[0];

test('the printed URL carries the token, on a loopback address', () => {
  assert.equal(server.url, `http://127.0.0.1:${server.port}/?token=${TOKEN}`);
  assert.equal(server.token, TOKEN);
});

test('HTTP without the token, or with a wrong one, is refused with 401 and says what to do', async () => {
  for (const p of ['/', '/index.html', '/healthz', '/assets/app.js', '/?token=wrong', `/?token=${TOKEN}x`]) {
    const r = await get(p);
    assert.equal(r.status, 401, p);
    assert.match(r.body, /needs the token printed when it started/);
  }
  assert.equal((await get('/', { authorization: 'Bearer nope' })).status, 401);
  assert.equal((await get('/', { cookie: `__Host-hone_session=${TOKEN}` })).status, 401, 'the token is not the cookie');
});

test('the first load sets a __Host- session cookie that is not the token; it loads the page, never the API', async () => {
  const first = await get(`/?token=${TOKEN}`);
  assert.equal(first.status, 200);
  assert.match(first.body, /<title>Hone<\/title>/);
  const setCookie = String(first.headers['set-cookie']);
  assert.match(setCookie, /^__Host-hone_session=[A-Za-z0-9_-]{32}; Path=\/; Secure; HttpOnly; SameSite=Strict$/);
  // Cookies ignore ports: every other service on 127.0.0.1 receives this value, so it must not be the token.
  assert.doesNotMatch(setCookie, new RegExp(TOKEN));
  const cookie = setCookie.split(';')[0];
  assert.equal((await get('/assets/app.js', { cookie })).body, 'console.log(1)');
  assert.equal((await get('/assets/app.js', { cookie, 'sec-fetch-site': 'same-origin' })).status, 200);
  assert.equal((await get('/healthz', { authorization: `Bearer ${TOKEN}` })).body, '{"ok":true}');
  // A page on another port is "same-site": the browser attaches the cookie, the server still refuses.
  assert.equal((await get('/assets/app.js', { cookie, 'sec-fetch-site': 'same-site' })).status, 401);
  assert.equal((await get('/', { cookie, 'sec-fetch-site': 'cross-site' })).status, 401);
  assert.equal((await get('/assets/app.js', { cookie })).headers['set-cookie'], undefined, 'the cookie never renews itself');
  // The cookie cannot open the WebSocket or drive it.
  assert.equal((await ws('', { cookie })).status, 401);
  const { socket } = await ws('', { cookie, origin: ORIGIN() });
  assert.ok(socket, 'Hone\'s own page may connect, then must authenticate');
  socket.send(JSON.stringify({ id: 1, channel: 'settings.set', params: { theme: 'dark' } }));
  assert.deepEqual((await next(socket)).close, { code: 4401, reason: 'UNAUTHORIZED: the first message must be {type:"auth", token}' });
  assert.equal((await core.handlers['settings.get']()).theme, 'system');
});

test('every response carries CSP with frame-ancestors \'none\', no-referrer and no-store, errors included', async () => {
  const cookie = await sessionCookie();
  const responses = [await get(`/?token=${TOKEN}`), await get('/assets/app.js', { cookie }), await get('/healthz', { cookie }), await get('/'), await get(`/x/../../secret.txt?token=${TOKEN}`), await get(`/%E0%A4%A?token=${TOKEN}`), await get('/', { host: 'evil.example' })];
  assert.deepEqual(responses.map((r) => r.status), [200, 200, 200, 401, 200, 400, 403]);
  for (const r of responses) {
    assert.match(String(r.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.match(String(r.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['cross-origin-resource-policy'], 'same-origin');
  }
});

test('a Host header that is not loopback is refused, even with the token (DNS rebinding)', async () => {
  const r = await get(`/?token=${TOKEN}`, { host: `evil.example:${server.port}` });
  assert.equal(r.status, 403);
  assert.equal((await get(`/?token=${TOKEN}`, { host: `localhost:${server.port}` })).status, 200);
  assert.equal((await ws(`?token=${TOKEN}`, { host: `evil.example:${server.port}` })).status, 403);
});

test('files outside the renderer folder are never served (.., encoded .., a look-alike sibling, a symlink); a malformed path is a 400', async () => {
  assert.equal((await get(`/%E0%A4%A?token=${TOKEN}`)).status, 400);
  assert.equal((await get(`/healthz?token=${TOKEN}`)).status, 200);
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%2frenderer-evil/secret.txt', '/%2e%2e%2frenderer-evil%2fsecret.txt', '/assets/link.txt', '/%00/x']) {
    const r = await get(`${p}?token=${TOKEN}`);
    assert.doesNotMatch(r.body, /outside the renderer/, p);
  }
});

test('the WebSocket: exact origins only; the token in the URL or as the first message; a wrong one is refused', async () => {
  assert.equal((await ws('')).status, 401, 'no origin and no token');
  assert.equal((await ws('?token=wrong')).status, 401);
  for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:${server.port + 1}`, 'http://127.0.0.1', `http://localhost:${server.port}.evil.example`, `https://127.0.0.1:${server.port}`]) {
    assert.equal((await ws(`?token=${TOKEN}`, { origin })).status, 403, `origin ${origin}, even with the token`);
  }
  assert.equal((await get(`/healthz?token=${TOKEN}`)).status, 200, 'the server survived all of that');
  for (const origin of [ORIGIN(), `http://localhost:${server.port}`, `http://[::1]:${server.port}`]) {
    const { socket } = await ws('', { origin });
    assert.ok(socket, origin);
    socket.send(JSON.stringify({ type: 'auth', token: TOKEN }));
    socket.send(JSON.stringify({ id: 7, channel: 'app.info' }));
    const msg = (await next(socket)).msg as { id: number; ok: boolean; result?: { mode: string } };
    assert.deepEqual([msg.id, msg.ok, msg.result?.mode], [7, true, 'headless'], origin);
    socket.close();
  }
  const wrong = await ws('', { origin: ORIGIN() });
  wrong.socket!.send(JSON.stringify({ type: 'auth', token: `${TOKEN}x` }));
  assert.deepEqual((await next(wrong.socket!)).close, { code: 4401, reason: 'UNAUTHORIZED: wrong token' });
  const { socket } = await ws(`?token=${TOKEN}`);
  assert.ok(socket);
  socket.send(JSON.stringify({ id: 8, channel: 'fs.readFile', params: { path: '/etc/passwd' } }));
  assert.deepEqual((await next(socket)).msg, { id: 8, ok: false, error: { code: 'BAD_REQUEST', message: 'Unknown request "fs.readFile".' } });
  socket.close();
});

test('before the token nothing is read and no event is sent; a silent socket is closed after the auth timeout', async () => {
  const quick = await startHeadless({ core, staticDir, token: TOKEN, authTimeoutMs: 300, log: () => undefined });
  try {
    const open = async () => {
      const socket = new WebSocket(`ws://127.0.0.1:${quick.port}/ws`, { headers: { origin: `http://127.0.0.1:${quick.port}` } });
      await new Promise((r) => socket.once('open', r));
      const received: string[] = [];
      socket.on('message', (d) => received.push(String(d)));
      const closed = new Promise<number>((r) => socket.once('close', (code) => r(code)));
      return { socket, received, closed };
    };
    const eager = await open();
    core.bus.emit('runtime.progress', { stage: 'secret', done: 0, total: 1, unit: 'packages' });
    eager.socket.send(JSON.stringify({ type: 'ready' }));
    assert.equal(await eager.closed, 4401);
    assert.deepEqual(eager.received, []);
    const silent = await open();
    core.bus.emit('runtime.progress', { stage: 'secret', done: 0, total: 1, unit: 'packages' });
    const started = Date.now();
    assert.equal(await silent.closed, 4401);
    assert.ok(Date.now() - started < 5000);
    assert.deepEqual(silent.received, []);
  } finally {
    await quick.close();
  }
});
