// Headless mode's token, end to end: the real server process (as `npm run serve` starts it) and Chromium.
// Without the token nothing is served and the WebSocket does nothing; the printed URL works, the token leaves
// the address bar at once, and a reload keeps working (the cookie loads the page, the tab keeps the token).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { Browser } from 'playwright-core';
import { launchBrowser, launchHeadless, type HeadlessApp } from './support/app';

let app: HeadlessApp;
let browser: Browser;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-token-'));

before(async () => {
  // Past the welcome screen (it has its own spec), so the app opens on the wizard.
  fs.mkdirSync(path.join(tmp, 'data'));
  fs.writeFileSync(path.join(tmp, 'data', 'settings.json'), JSON.stringify({ onboarded: true }));
  app = await launchHeadless({ dataDir: path.join(tmp, 'data') });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const base = () => `http://127.0.0.1:${app.port}/`;

test('the server prints a ready-to-open URL with the token', () => {
  assert.match(app.output(), new RegExp(`Open this URL in a browser on this machine:\\n\\s+http://127\\.0\\.0\\.1:${app.port}/\\?token=${app.token}`));
});

test('HTTP without the token is refused, from Node and from Chromium', async () => {
  for (const url of [base(), `${base()}healthz`, `${base()}index.html`, `${base()}?token=not-the-token`]) {
    const res = await fetch(url);
    assert.equal(res.status, 401, url);
  }
  const page = await browser.newPage();
  const res = await page.goto(base());
  assert.equal(res?.status(), 401);
  assert.match(await page.innerText('body'), /needs the token printed when it started/);
  // From that page (Hone's own origin, but no token) the WebSocket is closed as soon as it asks for anything.
  const closed = await page.evaluate(
    (url) => new Promise<number>((resolve) => {
      const ws = new WebSocket(url);
      ws.onopen = () => ws.send(JSON.stringify({ id: 1, channel: 'settings.set', params: { theme: 'dark' } }));
      ws.onmessage = () => resolve(-1);
      ws.onclose = (e) => resolve(e.code);
    }),
    `ws://127.0.0.1:${app.port}/ws`,
  );
  assert.equal(closed, 4401);
  await page.close();
});

test('a WebSocket without the token is refused; with it, the core answers', async () => {
  const status = (url: string) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(url);
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => resolve(0));
    });
  assert.equal(await status(`ws://127.0.0.1:${app.port}/ws`), 401);
  assert.equal(await status(`ws://127.0.0.1:${app.port}/ws?token=wrong`), 401);
  assert.equal(await status(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`), 101);
});

test('the token URL opens the app and leaves the address bar at once; a reload keeps working', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(app.url);
  await page.getByTestId('step-hardware').waitFor();
  await page.getByTestId('hardware-card').waitFor();
  assert.equal(page.url(), base(), 'the token is gone from the address bar (and the history entry)');
  assert.doesNotMatch(await page.evaluate(() => `${location.href} ${document.referrer}`), /token/);
  await page.reload();
  await page.getByTestId('hardware-card').waitFor();
  await page.goto(base());
  await page.getByTestId('hardware-card').waitFor();
  assert.deepEqual(errors, []);
  // A new tab of the same browser has the cookie (the page loads) but not the token: it says what to do.
  const tab = await page.context().newPage();
  assert.equal((await tab.goto(base()))?.status(), 200);
  await tab.getByTestId('no-token').waitFor();
  assert.match(await tab.getByTestId('no-token').innerText(), /Open the URL Hone printed/);
  await tab.close();
  // Another browser profile has no cookie: refused again.
  const other = await browser.newContext();
  const stranger = await other.newPage();
  assert.equal((await stranger.goto(base()))?.status(), 401);
  await other.close();
  await context.close();
});
