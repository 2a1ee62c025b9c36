// The Model step's download panel in real Chromium, driving a real core (models.* handlers, real
// downloads to disk) against the stand-in Hub (electron/core/models/test/fake-hub.ts): the Hub is the
// one part that cannot run here. The page gets the contract through window.hone, as the Electron preload gives it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import { REPO_ROOT } from '../electron/core/paths';
import { createContext } from '../electron/core/app';
import { createModelHandlers } from '../electron/core/models/handlers';
import { FakeHub, sampleRepoFiles } from '../electron/core/models/test/fake-hub';
import { toErrorInfo } from '../electron/shared/errors';
import type { RequestChannel } from '../electron/shared/contract';
import { launchBrowser, pageErrors, screenshotPath } from './support/app';

const files = sampleRepoFiles(1024 * 1024);
const spec = (id: string, hfId: string, gated = false) => ({ id, name: id, hfId, hfId4bit: null, gated, family: 'test', kind: 'instruct' });

let hub: FakeHub;
let site: http.Server;
let siteUrl = '';
let browser: Browser;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-panel-'));
const { ctx, close } = createContext({ mode: 'headless', paths: { dataDir: path.join(tmp, 'data') }, env: { HF_ENDPOINT: '' } });
const handlers = createModelHandlers(ctx, { progressIntervalMs: 50, retryDelayMs: 10 });

before(async () => {
  hub = await new FakeHub({ 'acme/open-chat': { files }, 'acme/slow-chat': { files }, 'acme/gated-chat': { files, gated: true, allowedTokens: ['hf_goodtoken123'] } }).start();
  ctx.env.HF_ENDPOINT = hub.url;
  const outDir = path.join(tmp, 'site');
  await build({ configFile: false, root: path.join(REPO_ROOT, 'e2e', 'harness', 'download-panel'), base: './', plugins: [react()], logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  site = http.createServer((req, res) => {
    const file = path.join(outDir, new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/$/, '/index.html'));
    if (!file.startsWith(outDir) || !fs.existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  site?.close();
  await hub?.close();
  await close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function openPanel(model: object): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 820, height: 520 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  pageErrors.set(page, errors);
  await page.exposeFunction('__honeInvoke', async (channel: RequestChannel, params: unknown) => {
    const h = handlers[channel as keyof typeof handlers] as ((p: unknown) => Promise<unknown>) | undefined;
    if (!h) return { ok: false, error: { code: 'NOT_FOUND', message: `no handler for ${channel}` } };
    try {
      return { ok: true, result: await h(params) };
    } catch (err) {
      return { ok: false, error: toErrorInfo(err) };
    }
  });
  // A string, not a function: tsx's helpers (__name) do not exist in the page.
  await page.addInitScript(`
    const listeners = new Map();
    window.__honeEmit = (channel, payload) => listeners.get(channel)?.forEach((fn) => fn(payload));
    window.hone = {
      invoke: async (channel, params) => {
        const r = await window.__honeInvoke(channel, params);
        if (r.ok) return r.result;
        throw Object.assign(new Error(r.error.message), r.error);
      },
      on: (channel, fn) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel).add(fn);
        return () => listeners.get(channel).delete(fn);
      },
    };
  `);
  const off = ctx.bus.onAny((channel, payload) => {
    void page.evaluate(`window.__honeEmit(${JSON.stringify(channel)}, ${JSON.stringify(payload)})`).catch(() => undefined);
  });
  page.on('close', off);
  await page.goto(`${siteUrl}?spec=${encodeURIComponent(JSON.stringify(model))}`);
  return page;
}

const panel = (page: Page) => page.getByTestId('download-panel');

test('not downloaded -> Download -> progress bar -> downloaded, files on disk', async () => {
  const page = await openPanel(spec('open-chat', 'acme/open-chat'));
  await panel(page).and(page.locator('[data-state="missing"]')).waitFor();
  hub.chunkDelayMs = 25;
  await page.getByTestId('download-start').click();
  await page.getByTestId('download-progress').waitFor();
  await page.screenshot({ path: screenshotPath('download-panel-progress') });
  hub.chunkDelayMs = 0;
  await page.locator('[data-testid="download-panel"][data-state="ready"]').waitFor({ timeout: 20_000 });
  assert.match(await panel(page).innerText(), /Downloaded · \d+ MB/);
  assert.ok(fs.existsSync(path.join(ctx.paths.dataDir, 'models', 'hf', 'acme', 'open-chat', 'model-00002-of-00002.safetensors')));
  assert.deepEqual(pageErrors.get(page), []);
  await page.close();
});

test('Cancel stops it and offers to resume; resuming finishes it', async () => {
  const page = await openPanel(spec('slow-chat', 'acme/slow-chat'));
  hub.chunkDelayMs = 60;
  try {
    await page.getByTestId('download-start').click();
    await page.getByTestId('download-cancel').click();
    await page.locator('[data-testid="download-error"][data-code="CANCELLED"]').waitFor();
    assert.match(await page.getByTestId('download-start').innerText(), /resumes/);
  } finally {
    hub.chunkDelayMs = 0;
  }
  await page.getByTestId('download-start').click();
  await page.locator('[data-testid="download-panel"][data-state="ready"]').waitFor({ timeout: 20_000 });
  await page.close();
});

test('a gated model: the notice, the Hub refusal, a token saved (never shown again), then the download', async () => {
  const page = await openPanel(spec('gated-chat', 'acme/gated-chat', true));
  await page.getByTestId('download-gated').waitFor();
  assert.match(await page.getByTestId('download-token-status').innerText(), /No token saved.*mode 0600/);
  await page.getByTestId('download-start').click();
  await page.getByTestId('download-gated').getByText(/gated model/).waitFor();
  await page.getByTestId('download-token-input').fill('hf_goodtoken123');
  await page.getByTestId('download-token-save').click();
  await page.getByTestId('download-token-status').getByText(/A token is saved/).waitFor();
  assert.equal(await page.getByTestId('download-token-input').inputValue(), '');
  await page.screenshot({ path: screenshotPath('download-panel-gated') });
  assert.ok(!(await page.content()).includes('hf_goodtoken123'), 'the token is not in the page');
  await page.getByTestId('download-start').click();
  await page.locator('[data-testid="download-panel"][data-state="ready"]').waitFor({ timeout: 20_000 });
  assert.deepEqual(pageErrors.get(page), []);
  await page.close();
});

test('a local folder is ready at once and says it works offline', async () => {
  const page = await openPanel({ ...spec('local:/models/mine', 'acme/none'), localPath: '/models/mine' });
  await page.locator('[data-testid="download-panel"][data-state="ready"]').waitFor();
  assert.match(await panel(page).innerText(), /works offline/);
  await page.close();
});
