// The Model step's download panel and the Settings section for models in real Chromium, driving a real core
// (models.* and settings.* handlers, real downloads to disk) against the stand-in Hub
// (electron/core/models/test/fake-hub.ts): the Hub is the one part that cannot run here. The page gets the
// contract through window.hone, as the Electron preload gives it. HOME is the spec's own, so
// ~/.cache/huggingface is too.
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
import { createSettingsHandlers } from '../electron/core/settings/handlers';
import { FakeHub, sampleRepoFiles } from '../electron/core/models/test/fake-hub';
import { toErrorInfo } from '../electron/shared/errors';
import type { RequestChannel } from '../electron/shared/contract';
import { launchBrowser, pageErrors, screenshotPath } from './support/app';

const files = sampleRepoFiles(1024 * 1024);
// Its own copy: a test changes a file of it, as a repo is fixed upstream.
const openChatFiles = { ...files };
const spec = (id: string, hfId: string, gated = false) => ({ id, name: id, hfId, hfId4bit: null, gated, family: 'test', kind: 'instruct' });

let hub: FakeHub;
let site: http.Server;
let siteUrl = '';
let browser: Browser;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-panel-'));
const home = path.join(tmp, 'home');
const cache = path.join(home, '.cache', 'huggingface', 'hub');
const { ctx, close } = createContext({ mode: 'headless', paths: { dataDir: path.join(tmp, 'data') }, env: { HOME: home, HF_ENDPOINT: '' } });
const handlers = { ...createModelHandlers(ctx, { progressIntervalMs: 50, retryDelayMs: 10 }), ...createSettingsHandlers(ctx) };

before(async () => {
  hub = await new FakeHub({
    'acme/open-chat': { files: openChatFiles },
    'acme/limited-chat': { files },
    'acme/slow-chat': { files },
    'acme/tagged-chat': { files, refs: { 'v1.0': { sha: 'c'.repeat(40), files } } },
    'acme/gated-chat': { files, gated: true, allowedTokens: ['hf_goodtoken123'], fineGrainedTokens: ['hf_finegrained01'] },
  }).start();
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

async function openPage(query: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 820, height: 620 } });
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
  await page.goto(`${siteUrl}?${query}`);
  return page;
}

const openPanel = (model: object) => openPage(`spec=${encodeURIComponent(JSON.stringify(model))}`);
const panel = (page: Page) => page.getByTestId('download-panel');
const ready = (page: Page) => page.locator('[data-testid="download-panel"][data-state="ready"]').waitFor({ timeout: 20_000 });

test('not downloaded -> Download -> progress bar -> in the Hugging Face cache, files on disk', async () => {
  const page = await openPanel(spec('open-chat', 'acme/open-chat'));
  await panel(page).and(page.locator('[data-state="missing"]')).waitFor();
  hub.chunkDelayMs = 25;
  await page.getByTestId('download-start').click();
  await page.getByTestId('download-progress').waitFor();
  await page.screenshot({ path: screenshotPath('download-panel-progress') });
  hub.chunkDelayMs = 0;
  await ready(page);
  assert.match(await panel(page).innerText(), new RegExp(`In the Hugging Face cache · \\d+ MB · ${hub.sha.slice(0, 7)}`));
  assert.ok(fs.existsSync(path.join(cache, 'models--acme--open-chat', 'snapshots', hub.sha, 'model-00002-of-00002.safetensors')));
  assert.equal(await page.getByTestId('download-update').count(), 0, 'up to date: nothing offered');
  assert.deepEqual(pageErrors.get(page), []);
  await page.close();
});

test('when the Hub has a newer commit, the panel offers it, and Update fetches only the changed file', async () => {
  const before = hub.sha;
  hub.sha = 'e'.repeat(40);
  openChatFiles['tokenizer_config.json'] = '{"chat_template":"{{ fixed upstream }}"}';
  try {
    const page = await openPanel(spec('open-chat', 'acme/open-chat'));
    await page.getByTestId('download-update').waitFor();
    assert.match(await page.getByTestId('download-update').innerText(), new RegExp(`${before.slice(0, 7)} → eeeeeee: 1 changed file, 1 KB`));
    await page.screenshot({ path: screenshotPath('download-panel-update') });
    hub.bytesSent.clear();
    await page.getByTestId('download-update-start').click();
    await page.locator('[data-testid="download-ready"]', { hasText: 'eeeeeee' }).waitFor({ timeout: 20_000 });
    assert.deepEqual([...hub.bytesSent.keys()], ['acme/open-chat/tokenizer_config.json']);
    await page.getByTestId('download-update').waitFor({ state: 'detached' });
    await page.close();
  } finally {
    hub.sha = before;
  }
});

test('a revision typed in the panel is what gets downloaded', async () => {
  const page = await openPanel(spec('tagged-chat', 'acme/tagged-chat'));
  await page.getByTestId('download-revision').fill('v1.0');
  await page.getByTestId('download-start').click();
  await ready(page);
  assert.match(await page.getByTestId('download-ready').innerText(), /ccccccc/);
  assert.equal(fs.readFileSync(path.join(cache, 'models--acme--tagged-chat', 'refs', 'v1.0'), 'utf8'), 'c'.repeat(40));
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
  await ready(page);
  await page.close();
});

test('a rate-limited Hub: the message says so, and that a token raises the limit', async () => {
  const page = await openPanel(spec('limited-chat', 'acme/limited-chat'));
  hub.rateLimitNext(3600, { scope: 'api' });
  await page.getByTestId('download-start').click();
  const err = page.locator('[data-testid="download-error"][data-code="RATE_LIMITED"]');
  await err.waitFor();
  assert.match(await err.innerText(), /rate-limiting.*wait 3600 s.*signed-in users get a much higher limit/s);
  hub.clearFaults();
  await page.close();
});

test('a gated model: the notice, the Hub\'s own refusal for a fine-grained login token, a token saved (never shown again), then the download', async () => {
  const tokenFile = path.join(home, '.cache', 'huggingface', 'token');
  fs.mkdirSync(path.dirname(tokenFile), { recursive: true });
  fs.writeFileSync(tokenFile, 'hf_finegrained01');
  const page = await openPanel(spec('gated-chat', 'acme/gated-chat', true));
  await page.getByTestId('download-gated').waitFor();
  assert.match(await page.getByTestId('download-gated').innerText(), /Hone will use your `hf auth login` token/);
  assert.match(await page.getByTestId('download-token-status').innerText(), /Using your `hf auth login` token.*mode 0600/);
  await page.getByTestId('download-start').click();
  await page.getByTestId('download-gated').getByText(/fine-grained token/).waitFor();
  const refusal = await page.getByTestId('download-gated').innerText();
  assert.match(refusal, /The Hub says: "Please enable access to public gated repositories in your fine-grained token settings/);
  assert.match(refusal, /Read access to contents of all public gated repos/);
  await page.getByTestId('download-token-input').fill('hf_goodtoken123');
  await page.getByTestId('download-token-save').click();
  await page.getByTestId('download-token-status').getByText(/A token is saved/).waitFor();
  assert.equal(await page.getByTestId('download-token-input').inputValue(), '');
  await page.screenshot({ path: screenshotPath('download-panel-gated') });
  assert.ok(!(await page.content()).includes('hf_goodtoken123'), 'the token is not in the page');
  await page.getByTestId('download-start').click();
  await ready(page);
  assert.equal(fs.readFileSync(tokenFile, 'utf8'), 'hf_finegrained01', 'the login file is only read');
  assert.deepEqual(pageErrors.get(page), []);
  await page.close();
});

test('a local folder is ready at once and says it works offline', async () => {
  const page = await openPanel({ ...spec('local:/models/mine', 'acme/none'), localPath: '/models/mine' });
  await ready(page);
  assert.match(await panel(page).innerText(), /works offline/);
  await page.close();
});

test('Settings: where models live and their size, the token in use, and the proxy and endpoint fields', async () => {
  const page = await openPage('page=hub-settings');
  const storage = page.getByTestId('hub-settings-storage');
  await storage.getByText('new downloads go here').waitFor();
  const cacheLine = page.locator('[data-testid="hub-settings-location"][data-kind="hf-cache"]');
  assert.match(await cacheLine.innerText(), new RegExp(`Hugging Face cache ${cache.replace(/[/.]/g, '\\$&')} \\(the default, shared with transformers, Unsloth and hf\\): 4 models, \\d+ MB`));
  assert.match(await page.getByTestId('hub-settings-token').innerText(), /In use: the token saved in Hone/);
  assert.match(await page.getByTestId('hub-settings-endpoint-note').innerText(), /HF_ENDPOINT=.* wins over this field/);
  assert.match(await page.getByTestId('hub-settings-proxy-note').innerText(), /direct connection/);
  await page.getByTestId('hub-settings-proxy').fill('socks5://127.0.0.1:1080');
  await page.getByTestId('hub-settings-save').click();
  assert.match(await page.getByTestId('hub-settings-error').innerText(), /http:\/\/ or https:\/\/.*SOCKS proxies are not supported/);
  await page.getByTestId('hub-settings-proxy').fill('http://proxy.example:3128');
  await page.getByTestId('hub-settings-save').click();
  await page.getByTestId('hub-settings-proxy-note').getByText('In use for the Hub').waitFor();
  assert.equal(ctx.settings.get().hubProxy, 'http://proxy.example:3128');
  await page.screenshot({ path: screenshotPath('hub-settings') });
  await page.getByTestId('hub-settings-proxy').fill('');
  await page.getByTestId('hub-settings-save').click();
  await page.getByTestId('hub-settings-proxy-note').getByText('direct connection').waitFor();
  assert.deepEqual(pageErrors.get(page), []);
  await page.close();
});
