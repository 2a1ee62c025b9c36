// The ROI report in real Chromium against a real headless Hone: SmolLM2 fine-tuned to answer weather notes
// in JSON (the shared, cached style run) is opened on the Runs page, evaluated from the run page with a live
// progress bar, and the report answers "was it worth it?" with the verdict, the chart, the examples, the
// speed and (once prices are entered) the cost; then it is exported as HTML and Markdown, and the file's
// numbers are the app's.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import type { RequestChannel, WireServerMessage } from '../electron/shared/contract';
import type { EvalRecord } from '../electron/shared/types/eval';
import type { Plan } from '../electron/shared/types/plan';
import { copyStyleRun, sharedStyleRun } from '../electron/core/eval/integration/style-run';
import { REPO_ROOT } from '../electron/core/paths';
import { openDatabase } from '../electron/core/store/db';
import { RunStore } from '../electron/core/store/run-store';
import { launchBrowser, launchHeadless, openApp, pageErrors, screenshotPath, type HeadlessApp } from './support/app';

const python = process.env.HONE_PYTHON;
const rendererBuilt = fs.existsSync(path.join(REPO_ROOT, 'dist', 'renderer', 'index.html'));
const skip = !python ? 'needs HONE_PYTHON for the real model' : !rendererBuilt ? 'renderer not built (npm run build:renderer)' : false;

async function invoke<T>(app: HeadlessApp, channel: RequestChannel, params?: unknown): Promise<T> {
  const ws = new WebSocket(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  try {
    const reply = new Promise<WireServerMessage>((resolve) => ws.on('message', (d) => resolve(JSON.parse(String(d)) as WireServerMessage)));
    ws.send(JSON.stringify({ id: 1, channel, params }));
    const msg = await reply;
    if ('ok' in msg && msg.ok) return msg.result as T;
    throw new Error('error' in msg ? `${msg.error.code}: ${msg.error.message}` : 'bad reply');
  } finally {
    ws.close();
  }
}

describe('the ROI report of a real fine-tune', { skip }, () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-e2e-eval-'));
  const runId = '20260101-120000-eval';
  let app: HeadlessApp;
  let browser: Browser;
  let page: Page;

  before(async () => {
    const style = await sharedStyleRun({ python, log: (l) => process.stderr.write(`${l}\n`) });
    // The finished run as the app records it, pointing at a copy of the trained folder.
    const outputDir = copyStyleRun(style, path.join(dataDir, 'runs', runId));
    const plan = { modelId: style.model, objective: 'sft', method: 'lora', device: 'cpu', max_seq_length: 128, batch_size: 4, grad_accum: 1, learning_rate: 0.001, load_in_4bit: false } as Plan;
    const store = new RunStore(openDatabase(dataDir));
    store.createRun({ id: runId, name: 'Weather notes as JSON', config: { model: style.model, dataset: style.train, evalDataset: style.eval, objective: 'sft', plan, maxSteps: 20 }, plan, outputDir, status: 'completed', ownerPid: process.pid });
    store.updateRun(runId, { ownerPid: null, step: 20, startedAt: new Date(Date.now() - 120_000).toISOString(), endedAt: new Date().toISOString() });
    store.close();
    app = await launchHeadless({ dataDir, env: { HONE_PYTHON: python! } });
    await invoke(app, 'settings.set', { onboarded: true });
    browser = await launchBrowser();
    page = await openApp(browser, app);
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('evaluates from the run page with a progress bar, then answers "was it worth it?" on one screen', { timeout: 900_000 }, async () => {
    await page.getByTestId('nav-runs').click();
    await page.getByTestId(`run-open-${runId}`).click();
    const panel = page.getByTestId('eval-panel');
    await panel.waitFor();
    assert.equal(await panel.getAttribute('data-status'), 'none');
    await page.getByTestId('eval-start').click();
    await page.getByTestId('eval-progress').waitFor({ timeout: 30_000 });
    // The bar follows the replies: both models answer each held-out row.
    await page.locator('[data-testid="eval-progress"][data-stage="generating"]').waitFor({ timeout: 300_000 });
    await page.screenshot({ path: screenshotPath('eval-1-progress'), fullPage: true });
    await page.getByTestId('eval-verdict').waitFor({ timeout: 600_000 });
    assert.equal(await page.getByTestId('eval-progress').count(), 0);

    const rec = (await invoke<EvalRecord>(app, 'eval.get', { runId }))!;
    assert.equal(rec.status, 'completed');
    const report = rec.report!;
    assert.equal(await page.getByTestId('eval-verdict').getAttribute('data-kind'), 'better');
    assert.match((await page.getByTestId('eval-verdict').textContent()) ?? '', /^Yes: the fine-tuned model beats the base model on 12 held-out rows/);
    for (const leg of ['base', 'tuned'] as const) {
      for (const key of ['rouge_l', 'chrf', 'exact_match', 'json_valid'] as const) {
        assert.equal(Number(await page.getByTestId(`eval-metric-${leg}-${key}`).getAttribute('data-value')), report[leg][key], `${leg}.${key}`);
      }
    }
    assert.ok(report.tuned.json_valid! >= 0.9 && report.base.json_valid! <= 0.1);
    // Grouped bars, base and fine-tuned, for each metric that applies.
    assert.equal(await page.getByTestId('eval-chart').getAttribute('data-metrics'), 'rouge_l,chrf,exact_match,json_valid,json_same_keys');
    const nonZero = (['rouge_l', 'chrf', 'exact_match', 'json_valid', 'json_same_keys'] as const).flatMap((k) => [report.base[k], report.tuned[k]]).filter((v) => v).length;
    assert.equal(await page.getByTestId('eval-chart').locator('.recharts-bar-rectangle').count(), nonZero, 'a bar for every value above 0');
    assert.equal(await page.getByTestId('eval-chart').locator('.recharts-bar').count(), 2, 'base and fine-tuned');
    // The examples mark what the base's prose does not share with the JSON reference.
    assert.ok((await page.getByTestId('eval-example-0-base').locator('mark').count()) > 0);
    assert.equal(await page.getByTestId('eval-tps-tuned').textContent(), report.tuned.tokens_per_second!.toFixed(1));
    // No GPU here: the power is not measured, and the cost waits for the user's watts instead of inventing them.
    assert.match((await page.getByTestId('eval-power').textContent()) ?? '', /ran on the CPU/);
    await page.getByTestId('eval-cost-hosted').fill('0.6');
    await page.getByTestId('eval-cost-hosted').press('Enter');
    await page.getByTestId('eval-cost-kwh').fill('0.3');
    await page.getByTestId('eval-cost-kwh').press('Enter');
    await page.getByTestId('eval-cost-watts').fill('65');
    await page.getByTestId('eval-cost-watts').press('Enter');
    await page.locator('[data-testid="eval-cost-local"]:not([data-value=""])').waitFor();
    const local = Number(await page.getByTestId('eval-cost-local').getAttribute('data-value'));
    assert.ok(Math.abs(local - ((65 * (1e6 / report.tuned.tokens_per_second!)) / 3.6e6) * 0.3) < 1e-9, `local cost ${local}`);
    await page.getByText(/Running it here costs about/).waitFor();
    await page.screenshot({ path: screenshotPath('eval-2-report'), fullPage: true });
  });

  it('exports the report as self-contained HTML and as Markdown, with the app\'s numbers', { timeout: 120_000 }, async () => {
    const rec = (await invoke<EvalRecord>(app, 'eval.get', { runId }))!;
    const [html] = await Promise.all([page.waitForEvent('download'), page.getByTestId('eval-export-html').click()]);
    assert.equal(html.suggestedFilename(), 'hone-report-weather-notes-as-json.html');
    const file = path.join(dataDir, 'report.html');
    await html.saveAs(file);
    const doc = fs.readFileSync(file, 'utf8');
    assert.doesNotMatch(doc, /<script|src=|<link/i);
    for (const leg of ['base', 'tuned'] as const) {
      for (const key of ['rouge_l', 'chrf', 'exact_match', 'json_valid', 'tokens_per_second'] as const) {
        assert.equal(Number(new RegExp(`data-metric="${leg}\\.${key}" data-value="([^"]*)"`).exec(doc)![1]), rec.report![leg][key], `${leg}.${key}`);
      }
    }
    assert.match(doc, /data-verdict="better"/);
    assert.match(doc, /Running it here costs about/, 'the prices entered on the run page');
    const [md] = await Promise.all([page.waitForEvent('download'), page.getByTestId('eval-export-md').click()]);
    assert.equal(md.suggestedFilename(), 'hone-report-weather-notes-as-json.md');
    const mdFile = path.join(dataDir, 'report.md');
    await md.saveAs(mdFile);
    assert.match(fs.readFileSync(mdFile, 'utf8'), new RegExp(`\\| ROUGE-L \\| ${rec.report!.base.rouge_l!.toFixed(3)} \\| ${rec.report!.tuned.rouge_l!.toFixed(3)} \\|`));
    assert.deepEqual(pageErrors.get(page), []);
  });
});
