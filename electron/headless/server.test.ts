/**
 * The headless server's guards, against a real core on a real loopback port: every HTTP request and every
 * WebSocket upgrade needs the per-launch token; a Host that is not loopback is refused (DNS rebinding); a
 * cross-site Origin cannot open the WebSocket; files outside the renderer folder are never served.
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
  core = createCore({ mode: 'headless', paths: { dataDir: path.join(tmp, 'data') } });
  server = await startHeadless({ core, staticDir, token: TOKEN });
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
  assert.equal((await get('/', { cookie: 'hone_token=nope' })).status, 401);
});

test('with the token (query, bearer or the cookie it sets) the app is served, with a CSP', async () => {
  const first = await get(`/?token=${TOKEN}`);
  assert.equal(first.status, 200);
  assert.match(first.body, /<title>Hone<\/title>/);
  assert.match(String(first.headers['set-cookie']), new RegExp(`hone_token=${TOKEN}; HttpOnly; SameSite=Strict`));
  assert.match(String(first.headers['content-security-policy']), /default-src 'self'/);
  assert.equal((await get('/assets/app.js', { cookie: `hone_token=${TOKEN}` })).body, 'console.log(1)');
  assert.equal((await get('/healthz', { authorization: `Bearer ${TOKEN}` })).body, '{"ok":true}');
});

test('a Host header that is not loopback is refused, even with the token (DNS rebinding)', async () => {
  const r = await get(`/?token=${TOKEN}`, { host: `evil.example:${server.port}` });
  assert.equal(r.status, 403);
  assert.equal((await get(`/?token=${TOKEN}`, { host: `localhost:${server.port}` })).status, 200);
  assert.equal((await ws(`?token=${TOKEN}`, { host: `evil.example:${server.port}` })).status, 401);
});

test('files outside the renderer folder are never served; a malformed path is a 400, not a crash', async () => {
  assert.equal((await get(`/%E0%A4%A?token=${TOKEN}`)).status, 400);
  assert.equal((await get(`/healthz?token=${TOKEN}`)).status, 200);
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt']) {
    const r = await get(`${p}?token=${TOKEN}`);
    assert.doesNotMatch(r.body, /outside the renderer/, p);
  }
});

test('the WebSocket needs the token too; with it, requests reach the core', async () => {
  assert.equal((await ws('')).status, 401);
  assert.equal((await ws('?token=wrong')).status, 401);
  assert.equal((await ws(`?token=${TOKEN}`, { origin: 'https://evil.example' })).status, 401, 'a cross-site page cannot connect');
  // A sandboxed frame sends "Origin: null": refused, and the server must survive it.
  assert.equal((await ws(`?token=${TOKEN}`, { origin: 'null' })).status, 401);
  assert.equal((await get(`/healthz?token=${TOKEN}`)).status, 200);
  const viaCookie = await ws('', { cookie: `hone_token=${TOKEN}` });
  assert.equal(viaCookie.status, 101);
  viaCookie.socket!.close();
  const { socket } = await ws(`?token=${TOKEN}`, { origin: `http://127.0.0.1:${server.port}` });
  assert.ok(socket);
  const reply = new Promise<{ id: number; ok: boolean; result?: { mode: string }; error?: { code: string } }>((resolve) => socket.on('message', (d) => resolve(JSON.parse(String(d)))));
  socket.send(JSON.stringify({ id: 7, channel: 'app.info' }));
  const msg = await reply;
  assert.deepEqual([msg.id, msg.ok, msg.result?.mode], [7, true, 'headless']);
  const refused = new Promise<{ ok: boolean; error?: { code: string } }>((resolve) => socket.once('message', (d) => resolve(JSON.parse(String(d)))));
  socket.send(JSON.stringify({ id: 8, channel: 'fs.readFile', params: { path: '/etc/passwd' } }));
  assert.deepEqual(await refused, { id: 8, ok: false, error: { code: 'BAD_REQUEST', message: 'Unknown request "fs.readFile".' } });
  socket.close();
});
