// Export in real Chromium against a real headless Hone and a real Ollama: the tiny model is trained for a
// few steps through the core (runs.start, real sidecar on the CPU, merged at the end), then the user opens
// the run, sends it to Ollama watching the progress bar, and chats with it (alone, then side by side, then
// stopping a long reply); then saves it as a GGUF file, adds it to LM Studio (a throw-away HOME) and saves
// the adapter bundle with a model card, each with its progress and "Show in folder".
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import type { RequestChannel, WireServerMessage } from '../electron/shared/contract';
import type { Plan } from '../electron/shared/types/plan';
import type { RunDetail, RunSummary } from '../electron/shared/types/runs';
import { REPO_ROOT } from '../electron/core/paths';
import { sharedTinyModel, testPython } from '../electron/core/ollama/integration/fixtures';
import { launchBrowser, launchHeadless, openApp, pageErrors, screenshotPath, type HeadlessApp } from './support/app';
import { ollamaForTestFile, type OllamaForTest } from './support/ollama-server';

const python = testPython();
const rendererBuilt = fs.existsSync(path.join(REPO_ROOT, 'dist', 'renderer', 'index.html'));
const skip = !python ? 'no Python for the sidecar (set HONE_PYTHON)' : !rendererBuilt ? 'renderer not built (npm run build:renderer)' : false;

/** A LoRA plan the tiny random test model (a local folder, not in the catalogue) trains with on a CPU in about a second a step. */
const CPU_PLAN: Plan = {
  modelId: 'tiny-random-llama', objective: 'sft', method: 'lora', load_in_4bit: false, max_seq_length: 128, batch_size: 2, grad_accum: 1,
  effective_batch: 2, lora_rank: 8, lora_alpha: 16, lora_dropout: 0, target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj'],
  gradient_checkpointing: false, optimizer: 'adamw_torch', learning_rate: 0.002, estimated_vram_gb: 0.1,
  breakdown: { weightsGb: 0, trainableGb: 0, activationsGb: 0, overheadGb: 0 }, vram_budget_gb: 0, headroom_gb: 0, fits: true,
  reasons: ['tiny model on the CPU'], device: 'cpu',
};

/** The headless transport as the renderer's bridge speaks it, for the test's own set-up calls. */
async function wsClient(app: HeadlessApp) {
  const ws = new WebSocket(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'ready' }));
  let next = 1;
  const pending = new Map<number, (m: WireServerMessage) => void>();
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as WireServerMessage;
    if ('id' in msg) pending.get(msg.id)?.(msg);
  });
  return {
    async invoke<T>(channel: RequestChannel, params?: unknown): Promise<T> {
      const id = next++;
      const reply = new Promise<WireServerMessage>((resolve) => pending.set(id, resolve));
      ws.send(JSON.stringify({ id, channel, params }));
      const msg = await reply;
      if ('ok' in msg && msg.ok) return msg.result as T;
      throw new Error('error' in msg ? `${msg.error.code}: ${msg.error.message}` : 'bad reply');
    },
    close: () => ws.close(),
  };
}

describe('Export: send a finished run to Ollama and chat with it', { skip }, () => {
  let ollama: OllamaForTest | null = null;
  let ollamaHost: string;
  let app: HeadlessApp;
  let browser: Browser;
  let page: Page;
  let runId: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-e2e-export-'));
  // LM Studio as a user who has opened it once has it: ~/.lmstudio, in a HOME of the test's own.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-e2e-home-'));
  fs.mkdirSync(path.join(home, '.lmstudio'));
  const modelName = `hone-e2e/tiny-${process.pid}`;
  const baseName = `hone-e2e/base-${process.pid}`;

  before(async () => {
    ollama = await ollamaForTestFile();
    ollamaHost = ollama.host;
    app = await launchHeadless({ dataDir, env: { OLLAMA_HOST: ollamaHost, HONE_PYTHON: python!, HOME: home } });
    const client = await wsClient(app);
    try {
      // A returning user: the welcome screen was done on first launch.
      await client.invoke('settings.set', { onboarded: true });
      const tiny = sharedTinyModel();
      const run = await client.invoke<RunSummary>('runs.start', {
        config: { model: tiny, dataset: path.join(REPO_ROOT, 'resources', 'samples', 'sft-sample.jsonl'), objective: 'sft', plan: CPU_PLAN, maxSteps: 4, saveSteps: 100, evalSteps: null, seed: 3, mergeOnFinish: true, name: 'E2E tiny export' },
      });
      runId = run.id;
      // The test waits on the core (the page is not open yet); the UI itself never polls.
      const deadline = Date.now() + 300_000;
      let detail: RunDetail;
      do {
        await new Promise((r) => setTimeout(r, 1000));
        detail = await client.invoke<RunDetail>('runs.get', { runId });
      } while (!['completed', 'failed', 'stopped', 'interrupted'].includes(detail.status) && Date.now() < deadline);
      assert.equal(detail.status, 'completed', `the tiny run finished: ${JSON.stringify(detail.error)}`);
      assert.ok(fs.existsSync(path.join(detail.outputDir, 'merged', 'config.json')), 'the run was merged');
      // The base model, so the chat can put the fine-tune side by side with it. A model folder is sent with
      // the CLI: the app's API takes run ids only.
      execFileSync(process.execPath, ['electron/cli/bin.mjs', 'send-to-ollama', tiny, '--name', baseName, '--quantize', 'f16', '--overwrite'], {
        cwd: REPO_ROOT,
        env: { ...process.env, OLLAMA_HOST: ollamaHost, HONE_DATA_DIR: dataDir },
        stdio: 'pipe',
      });
    } finally {
      client.close();
    }
    browser = await launchBrowser();
    page = await openApp(browser, app);
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
    await ollama?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('opens the completed run, sends it with a validated name, and shows the progress through to done', async (t) => {
    t.after(() => page.screenshot({ path: screenshotPath('export-step-last') }).then(() => undefined));
    await page.getByTestId('nav-runs').click();
    await page.getByTestId(`run-open-${runId}`).click();
    await page.getByTestId('run-export').click();
    await page.getByTestId('ollama-status').and(page.locator('[data-state="running"]')).waitFor();

    const name = page.getByTestId('export-name');
    await name.fill('Not Valid');
    await page.getByTestId('export-name-error').waitFor();
    assert.match((await page.getByTestId('export-name-error').textContent()) ?? '', /lowercase/);
    assert.equal(await page.getByTestId('export-send').isDisabled(), true);
    await name.fill(modelName);
    assert.equal(await page.getByTestId('export-name-error').count(), 0);
    await page.getByTestId('export-quantize').selectOption('q8_0');

    // Every state the progress bar goes through, recorded in the page (the tiny model is quick to send).
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { exportSeen: string[] }).exportSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('[data-testid="export-progress"]');
        if (bar) seen.push(`${bar.textContent}|${bar.getAttribute('aria-valuenow') ?? ''}`);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.getByTestId('export-send').click();
    await page.getByTestId('export-done').waitFor({ timeout: 120_000 });
    const seen = await page.evaluate(() => (window as unknown as { exportSeen: string[] }).exportSeen);
    assert.ok(seen.length > 0, 'the progress bar showed');
    assert.ok(seen.some((s) => /Checking files|Uploading to Ollama|Creating the model|Quantising/.test(s)), `stages shown: ${seen.slice(0, 5).join(' / ')}`);
    assert.match((await page.getByTestId('export-done').textContent()) ?? '', new RegExp(`${modelName}:latest`));
    await page.getByTestId('export-history').waitFor();
    assert.match((await page.getByTestId('export-history').textContent()) ?? '', /q8_0/);
    await page.screenshot({ path: screenshotPath('export-done') });

    // The same name again: the user is asked before anything is replaced.
    await page.getByRole('button', { name: 'Send again' }).click();
    await page.getByTestId('export-name').fill(modelName);
    await page.getByTestId('export-send').click();
    await page.getByTestId('export-overwrite').waitFor();
    await page.getByTestId('export-overwrite-confirm').click();
    await page.getByTestId('export-done').waitFor({ timeout: 120_000 });
  });

  it('"Chat with it" opens the chat on the model, which streams a reply', async () => {
    await page.getByTestId('export-chat').click();
    await page.getByTestId('chat-page').waitFor();
    assert.equal(await page.getByTestId('chat-model').inputValue(), `${modelName}:latest`);
    await page.locator('.chat-settings summary').click();
    await page.getByTestId('chat-max-tokens').fill('12');
    // Random weights: a reply may be a stop token at once (shown as empty); another prompt then talks.
    for (let i = 0; i < 3; i++) {
      await page.getByTestId('chat-input').fill(`Hello number ${i}, who are you?`);
      await page.getByTestId('chat-send').click();
      await page.getByTestId('chat-send').waitFor({ timeout: 120_000 });
      const last = page.getByTestId('chat-message-assistant').last();
      if ((await last.getAttribute('data-empty')) === null) break;
    }
    const replies = await page.getByTestId('chat-message-assistant').evaluateAll((els) => els.map((e) => (e.getAttribute('data-empty') === null ? e.textContent : '')));
    assert.ok(replies.some((r) => r && r.length > 0), `a non-empty streamed reply: ${JSON.stringify(replies)}`);
    assert.equal(await page.getByTestId('chat-error').count(), 0);
  });

  it('side by side: the fine-tune and its base answer the same prompt; Stop ends a long reply', async () => {
    await page.getByTestId('chat-clear').click();
    await page.getByTestId('chat-compare').check();
    await page.getByTestId('chat-compare-model').selectOption(`${baseName}:latest`);
    await page.getByTestId('chat-input').fill('Tell me about Paris.');
    await page.getByTestId('chat-send').click();
    await page.getByTestId('chat-send').waitFor({ timeout: 120_000 });
    const panes = page.getByTestId('chat-pane');
    assert.equal(await panes.count(), 2);
    for (let i = 0; i < 2; i++) {
      assert.equal(await panes.nth(i).getByTestId('chat-message-user').count(), 1);
      assert.equal(await panes.nth(i).getByTestId('chat-message-assistant').count(), 1);
    }
    await page.screenshot({ path: screenshotPath('chat-side-by-side') });

    await page.getByTestId('chat-compare').uncheck();
    await page.getByTestId('chat-max-tokens').fill('2000');
    await page.getByTestId('chat-input').fill('Write a very long story.');
    await page.getByTestId('chat-send').click();
    await page.getByTestId('chat-stop').waitFor();
    await page.locator('[data-testid="chat-message-assistant"][data-streaming]').waitFor();
    await page.getByTestId('chat-stop').click();
    // 2,000 tokens take minutes on this CPU: the send button coming back at once is the stop working.
    await page.getByTestId('chat-send').waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('chat-error').count(), 0);
    assert.deepEqual(pageErrors.get(page), []);
  });

  it('Ollama not running: the export step says how to install or start it, and Send waits', async () => {
    const client = await wsClient(app);
    try {
      await client.invoke('settings.set', { ollamaHost: '127.0.0.1:9' });
      await page.getByTestId('nav-runs').click();
      await page.getByTestId(`run-open-${runId}`).click();
      await page.getByTestId('run-export').click();
      // The step shows "Loading the run…" first: wait until it shows either the earlier export or the form.
      await page.getByTestId('export-done').or(page.getByTestId('export-send')).first().waitFor();
      if (await page.getByTestId('export-done').isVisible()) await page.getByRole('button', { name: 'Send again' }).click();
      const status = page.getByTestId('ollama-status');
      await status.and(page.locator('[data-state="stopped"]')).waitFor();
      const text = (await status.textContent()) ?? '';
      assert.match(text, /ollama serve/);
      assert.match(text, /ollama\.com\/download/);
      assert.match(text, /Your run is kept/);
      assert.equal(await page.getByTestId('export-send').isDisabled(), true);
      // Started again (here: pointed back at it), one click on "Check again" and Send is available.
      await client.invoke('settings.set', { ollamaHost: ollamaHost });
      await page.getByTestId('ollama-recheck').click();
      await status.and(page.locator('[data-state="running"]')).waitFor();
      assert.equal(await page.getByTestId('export-send').isDisabled(), false);
    } finally {
      client.close();
    }
    assert.deepEqual(pageErrors.get(page), []);
  });

  it('saves a GGUF file, adds it to LM Studio and saves the adapter bundle, each with progress and "Show in folder"', async (t) => {
    t.after(() => page.screenshot({ path: screenshotPath('export-targets-last') }).then(() => undefined));
    await page.getByTestId('nav-runs').click();
    await page.getByTestId(`run-open-${runId}`).click();
    await page.getByTestId('run-export').click();
    const gguf = page.getByTestId('export-target-gguf');
    await gguf.and(page.locator('[data-available="yes"]')).waitFor();
    // This Ollama (0.11.4) cannot make q5_K_M: the list offers what it can.
    const offered = await page.getByTestId('export-gguf-quantize').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    assert.deepEqual(offered, ['q4_K_M', 'q8_0', 'f16']);
    await page.getByTestId('export-gguf-quantize').selectOption('q8_0');

    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { ggufSeen: string[] }).ggufSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('[data-testid="export-gguf-progress"]');
        if (bar) seen.push(bar.textContent ?? '');
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByTestId('export-gguf-start').click();
    const done = page.getByTestId('export-gguf-done');
    await done.waitFor({ timeout: 180_000 });
    const seen = await page.evaluate(() => (window as unknown as { ggufSeen: string[] }).ggufSeen);
    assert.ok(seen.some((s) => /Converting in Ollama|Writing the file|Checking the file/.test(s)), `progress shown: ${seen.slice(0, 4).join(' / ')}`);
    assert.match((await done.textContent()) ?? '', /E2E-tiny-export-q8_0\.gguf/);
    assert.match((await done.textContent()) ?? '', /GGUF v3, llama, 39 tensors/);
    const run = await (async () => {
      const client = await wsClient(app);
      try {
        return await client.invoke<RunDetail>('runs.get', { runId });
      } finally {
        client.close();
      }
    })();
    const ggufPath = path.join(run.outputDir, 'exports', 'E2E-tiny-export-q8_0.gguf');
    assert.equal(fs.readFileSync(ggufPath).toString('latin1', 0, 4), 'GGUF');
    // Headless: no desktop to open the folder on, so the page says where the file is.
    await done.getByTestId('show-in-folder').click();
    await done.getByTestId('revealed-path').waitFor();
    assert.match((await done.getByTestId('revealed-path').textContent()) ?? '', new RegExp(path.join(run.outputDir, 'exports').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

    // LM Studio from the same file (q8_0 is already saved): a hard link in LM Studio's models folder.
    await page.getByTestId('export-lmstudio-quantize').selectOption('q8_0');
    await page.getByTestId('export-lmstudio-start').click();
    await page.getByTestId('export-lmstudio-done').waitFor({ timeout: 60_000 });
    const inLms = path.join(home, '.lmstudio', 'models', 'hone', 'E2E-tiny-export-GGUF', 'E2E-tiny-export-q8_0.gguf');
    assert.equal(fs.statSync(inLms).ino, fs.statSync(ggufPath).ino);
    assert.match((await page.getByTestId('export-lmstudio-done').textContent()) ?? '', /hone\/E2E-tiny-export-GGUF/);

    // The adapter bundle, with what the user tells the model card.
    await page.getByTestId('export-card-fields').locator('summary').click();
    await page.getByTestId('card-license').fill('apache-2.0');
    await page.getByTestId('card-datasets').fill('acme/e2e-samples');
    await page.getByTestId('export-adapter-start').click();
    await page.getByTestId('export-adapter-done').waitFor({ timeout: 60_000 });
    assert.ok(fs.statSync(path.join(run.outputDir, 'exports', 'E2E-tiny-export-adapter.zip')).size > 1000);
    const card = fs.readFileSync(path.join(run.outputDir, 'README.md'), 'utf8');
    assert.match(card, /^datasets:\n- "acme\/e2e-samples"$/m);
    assert.match(card, /^license: "apache-2.0"$/m);
    await page.screenshot({ path: screenshotPath('export-targets') });
    assert.deepEqual(pageErrors.get(page), []);
  });
});
