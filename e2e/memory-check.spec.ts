// The memory check end to end through the app (issue #16): a run started on the headless server with a memory
// budget, the real sidecar measuring its RSS growth on the CPU, the planner shrinking batch 16 (to 4 x 4), the
// run page showing the stage and planned vs measured, the run record keeping the figures (and the stored config
// the settings trained with), the Runs page the planner's accuracy, and `hone runs --memory` the same record.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { Hardware } from '../electron/shared/types/hardware';
import type { RunDetail, RunSummary } from '../electron/shared/types/runs';
import { inspectModelFolder } from '../electron/core/catalog/inspect-folder';
import { REPO_ROOT } from '../electron/core/paths';
import { computePlan } from '../electron/core/planner/plan';
import { PYTHON, WsClient, tempDataDir, tinyModel } from '../electron/core/runs/integration/helpers';
import { writeLongRows } from '../electron/core/sidecar/integration/long-rows';
import { launchBrowser, launchHeadless, openApp, pageErrors, screenshotPath } from './support/app';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** A CPU machine with RAM to spare: what `hone plan` sees here. */
const CPU: Hardware = {
  gpus: [], selectedGpu: null, cpu: { brand: 'x', cores: 2, physicalCores: 2 }, ramTotalMb: 24_000, ramFreeMb: 16_000,
  os: { platform: 'linux', distro: 'Debian', release: '12', arch: 'x64' }, disk: { path: '/', freeMb: 100_000, totalMb: 200_000 }, notices: [], backend: 'cpu',
};

test('a CPU run with a 0.3 GB memory budget: the check shrinks batch 16 to 4 x 4 and the run page shows it', { timeout: 600_000 }, async () => {
  const dataDir = tempDataDir();
  cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const app = await launchHeadless({ dataDir, env: { HONE_PYTHON: PYTHON } });
  cleanup.push(() => app.stop());
  const ws = await WsClient.connect(app.port, app.token);
  cleanup.push(() => ws.close());
  await ws.invoke('settings.set', { onboarded: true });

  // The planner's own CPU plan for the tiny test model (a local folder, as a user adds one) at batch 16 on rows
  // of ~970 tokens: a model whose whole run, check included, takes seconds.
  const model = tinyModel();
  const plan = computePlan({ hardware: CPU, model: inspectModelFolder(model), overrides: { batchSize: 16 }, datasetStats: { rows: 40, meanTokens: 950, p95Tokens: 973, maxTokens: 973 } });
  assert.deepEqual([plan.fits, plan.device, plan.batch_size, plan.grad_accum, plan.max_seq_length], [true, 'cpu', 16, 1, 1024]);
  const data = writeLongRows(path.join(dataDir, 'long.jsonl'));
  const run = await ws.invoke<RunSummary>('runs.start', { config: { model, dataset: data, objective: 'sft', plan, maxSteps: 3, seed: 7, memoryCheck: { budgetGb: 0.3 }, name: 'memory check' } });

  const browser: Browser = await launchBrowser();
  cleanup.push(() => browser.close());
  const page = await openApp(browser, app);
  const byTestId = (id: string) => page.getByTestId(id);
  await byTestId('nav-runs').click();
  await byTestId(`run-open-${run.id}`).click();
  const check = page.locator('[data-testid="run-memory-check"][data-verdict="replanned"]');
  await check.waitFor({ timeout: 300_000 });
  // Batch 16 measures 0.64-0.9 GB here, 8 at least 0.29, 4 at most 0.22: the check lands on 4 x 4 (or on 2 x 8
  // when its one-point prediction from batch 16 is pessimistic); either way the effective batch stays 16.
  assert.match(await check.innerText(), /^Checking memory: 0\.\d+ of 0\.3 GB at batch (4 x 4|2 x 8), fits \(the plan's batch 16 x 1 did not\)\.$/);
  await page.locator('[data-testid="train-status"][data-status="completed"]').waitFor({ timeout: 300_000 });
  const memory = byTestId('run-memory');
  assert.match(await memory.innerText(), /^Memory: planned 0\.\d+ GB, measured peak 0\.\d+ GB \(process memory, in the memory check\)$/);
  assert.equal(Number(await memory.getAttribute('data-peak-gb')), Number(await check.getAttribute('data-used-gb')));
  assert.match(await byTestId('run-dashboard').innerText(), /Memory check 1: batch 16 x 1, 973 tokens per row: 0\.\d+ GB process memory growth/);
  await page.screenshot({ path: screenshotPath('memory-check-run'), fullPage: true });

  // The record: every reading, the verdict, the settings trained with; the stored config follows them.
  const detail = await ws.invoke<RunDetail>('runs.get', { runId: run.id });
  const m = detail.memory!;
  assert.equal(m.device, 'cpu');
  assert.equal(m.plannedGb, plan.estimated_vram_gb);
  assert.deepEqual(m.planned, { batchSize: 16, gradAccum: 1, maxSeqLength: 1024 });
  assert.equal(m.check!.verdict, 'replanned');
  assert.equal(m.check!.budgetGb, 0.3);
  const applied = m.check!.applied!;
  assert.ok([4, 2].includes(applied.batchSize), JSON.stringify(m.check));
  assert.deepEqual(applied, { batchSize: applied.batchSize, gradAccum: 16 / applied.batchSize, maxSeqLength: 1024 });
  assert.equal(m.check!.readings[0].batchSize, 16);
  assert.ok(m.check!.readings[0].usedGb > 0.3 && m.check!.readings.at(-1)!.usedGb < 0.285, JSON.stringify(m.check!.readings));
  assert.deepEqual([detail.config.plan.batch_size, detail.config.plan.grad_accum, detail.config.plan.effective_batch], [applied.batchSize, applied.gradAccum, 16]);

  // A reload replays the run: the stage is still there; the Runs page states the planner's accuracy honestly.
  await page.reload();
  await byTestId('nav-runs').click();
  const accuracy = byTestId('memory-accuracy');
  await accuracy.waitFor();
  assert.match(await accuracy.innerText(), /^Our memory estimates were (within|off by up to) \d+% on your last CPU run/);
  assert.equal(await accuracy.getAttribute('data-device'), 'cpu');
  await byTestId(`run-open-${run.id}`).click();
  await check.waitFor({ timeout: 30_000 });
  assert.deepEqual(pageErrors.get(page), []);

  // The CLI reads the same record.
  const cli = spawnSync(process.execPath, [path.join(REPO_ROOT, 'electron', 'cli', 'bin.mjs'), 'runs', '--memory'], { cwd: REPO_ROOT, env: { ...process.env, HONE_DATA_DIR: dataDir }, encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, new RegExp(`${run.id}\\s+\\S+\\s+cpu\\s+16x1 @1024\\s+0\\.\\d+\\s+0\\.\\d+\\s+\\+\\d+%\\s+0\\.30 GB\\s+replanned\\s+${applied.batchSize}x${applied.gradAccum} @1024`));
});
