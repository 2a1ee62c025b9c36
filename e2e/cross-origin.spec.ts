// Issue #13's first attack, in real Chromium: a page served from ANOTHER loopback port (a dev server, a
// notebook) in the same browser where Hone is open. It holds Hone's cookie (cookies ignore ports), and it
// may even have learnt the token: it still cannot open Hone's WebSocket, read Hone's pages or frame them,
// and nothing it tries changes Hone. The cookie it receives is not the token. Hone's own page keeps working.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import WebSocket from 'ws';
import { REPO_ROOT } from '../electron/core/paths';
import { launchBrowser, launchHeadless, type HeadlessApp } from './support/app';
import { freePort } from './support/ollama-server';

let app: HeadlessApp;
let browser: Browser;
let context: BrowserContext;
let hone: Page;
let evil: http.Server;
let evilPort: number;
/** Every request the other page's server received, with the cookies the browser sent it. */
const evilSaw: { url: string; cookie: string }[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-xorigin-'));

before(async () => {
  fs.mkdirSync(path.join(tmp, 'data'));
  fs.writeFileSync(path.join(tmp, 'data', 'settings.json'), JSON.stringify({ onboarded: true }));
  app = await launchHeadless({ dataDir: path.join(tmp, 'data') });
  evilPort = await freePort();
  evil = http.createServer((req, res) => {
    evilSaw.push({ url: req.url ?? '', cookie: req.headers.cookie ?? '' });
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>another local app</title><p>hello</p>');
  });
  await new Promise<void>((r) => evil.listen(evilPort, '127.0.0.1', () => r()));
  browser = await launchBrowser();
  context = await browser.newContext();
  // The user has Hone open (the token URL, which sets the cookie) in the same browser.
  hone = await context.newPage();
  await hone.goto(app.url);
  await hone.getByTestId('hardware-card').waitFor();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await new Promise((r) => evil?.close(r));
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** What a WebSocket opened from the page's script gets: 'open' then the close code, or only a failure. */
function tryWebSocket(page: Page, url: string): Promise<{ opened: boolean; code: number; answered: boolean }> {
  return page.evaluate(
    (u) =>
      new Promise<{ opened: boolean; code: number; answered: boolean }>((resolve) => {
        let opened = false;
        let answered = false;
        const ws = new WebSocket(u);
        ws.onopen = () => {
          opened = true;
          ws.send(JSON.stringify({ type: 'auth', token: new URL(u).searchParams.get('token') ?? 'guess' }));
          ws.send(JSON.stringify({ id: 1, channel: 'settings.set', params: { ollamaHost: '10.0.0.1:1', theme: 'dark' } }));
        };
        ws.onmessage = () => (answered = true);
        ws.onclose = (e) => resolve({ opened, code: e.code, answered });
        // A socket the server keeps open (the old server did, and answered) is closed here so the test reports it.
        setTimeout(() => ws.close(), 5000);
      }),
    url,
  );
}

/** Settings as Hone's core has them, through a trusted client (a script with the token, no browser Origin). */
async function honeSettings(): Promise<{ ollamaHost: string; theme: string }> {
  const ws = new WebSocket(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`);
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  const reply = new Promise<{ result: { ollamaHost: string; theme: string } }>((r) => ws.once('message', (d) => r(JSON.parse(String(d)))));
  ws.send(JSON.stringify({ id: 1, channel: 'settings.get' }));
  const { result } = await reply;
  ws.close();
  return result;
}

test('a page on another loopback port cannot open Hone\'s WebSocket: not with the cookie, a guessed token, or the real one', async () => {
  const before = await honeSettings();
  for (const host of ['127.0.0.1', 'localhost']) {
    const page = await context.newPage();
    await page.goto(`http://${host}:${evilPort}/`);
    assert.equal(await page.title(), 'another local app');
    for (const target of [`ws://127.0.0.1:${app.port}/ws`, `ws://127.0.0.1:${app.port}/ws?token=guessed-wrong`, `ws://127.0.0.1:${app.port}/ws?token=${app.token}`, `ws://localhost:${app.port}/ws`]) {
      const r = await tryWebSocket(page, target);
      assert.deepEqual(r, { opened: false, code: 1006, answered: false }, `from http://${host}:${evilPort} to ${target.replace(app.token, '<token>')}`);
    }
    await page.close();
  }
  assert.deepEqual(await honeSettings(), before, 'nothing the other page sent reached the core');
});

test('the other page cannot read Hone\'s pages with the cookie, nor frame them', async () => {
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${evilPort}/`);
  const read = await page.evaluate(async (base) => {
    const out: string[] = [];
    for (const p of ['/', '/healthz']) {
      try {
        const r = await fetch(`${base}${p}`, { credentials: 'include' });
        out.push(`${p} read ${r.status}`);
      } catch {
        out.push(`${p} blocked`);
      }
    }
    return out;
  }, `http://127.0.0.1:${app.port}`);
  assert.deepEqual(read, ['/ blocked', '/healthz blocked']);
  // Framing: frame-ancestors 'none' (and X-Frame-Options) keep Hone's page out of any frame, even one that
  // has the token (without it the request is refused anyway).
  await page.evaluate((src) => {
    const f = document.createElement('iframe');
    f.src = src;
    document.body.append(f);
    return new Promise((r) => (f.onload = r));
  }, app.url);
  const framed = page.frames().find((f) => f !== page.mainFrame());
  assert.ok(framed);
  assert.notEqual(await framed.evaluate(() => document.title).catch(() => 'blocked'), 'Hone', 'Hone did not render inside another page');
  await page.close();
});

test('the cookie the other port receives is not the token, and is __Host- / Secure / HttpOnly / SameSite=Strict', async () => {
  const cookies = await context.cookies(`http://127.0.0.1:${app.port}/`);
  const hc = cookies.find((c) => c.name === '__Host-hone_session');
  assert.ok(hc, `Chromium kept the __Host- cookie on http://127.0.0.1: ${JSON.stringify(cookies.map((c) => c.name))}`);
  assert.deepEqual([hc.secure, hc.httpOnly, hc.sameSite, hc.path], [true, true, 'Strict', '/']);
  assert.notEqual(hc.value, app.token);
  const leaked = evilSaw.map((r) => r.cookie).join(' ');
  assert.match(leaked, /__Host-hone_session=/, 'as the issue says: cookies do reach every port on the host');
  assert.doesNotMatch(leaked, new RegExp(app.token), 'but the token is not among them');
});

test('Hone\'s own page: token gone from the address bar, security headers on, no source maps shipped', async () => {
  assert.equal(hone.url(), `http://127.0.0.1:${app.port}/`);
  const res = await hone.reload();
  await hone.getByTestId('hardware-card').waitFor();
  const h = res!.headers();
  assert.match(h['content-security-policy'], /frame-ancestors 'none'/);
  assert.equal(h['referrer-policy'], 'no-referrer');
  assert.equal(h['cache-control'], 'no-store');
  const dist = path.join(REPO_ROOT, 'dist', 'renderer');
  const files = fs.readdirSync(dist, { recursive: true }) as string[];
  assert.deepEqual(files.filter((f) => f.endsWith('.map')), []);
  const scripts = await hone.evaluate(() => Array.from(document.scripts).map((s) => s.src));
  assert.ok(scripts.length > 0);
  for (const src of scripts) {
    const text = await hone.evaluate((u) => fetch(u).then((r) => r.text()), src);
    assert.doesNotMatch(text, /sourceMappingURL/, src);
  }
});
