// Several GPUs or processes (issue #15) in the UI, against a real headless Hone:
// - two NVIDIA GPUs (a stand-in nvidia-smi on PATH, as foundation.spec.ts does): pick both together on the
//   Hardware step, and the plan trains on both with its strategy shown;
// - this machine's CPU: the wizard trains the demo model with 2 processes (the Advanced panel), the live charts
//   draw one line per process, and the run says it had 2 processes.
// - the app killed (kill -9) under a 2-process run: no process of the run outlives it (it fails if a rank ignores
//   its closed stdin and dead parent), and the restarted app finds the run interrupted and resumable.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { Plan } from '../electron/shared/types/plan';
import type { RunDetail, RunSummary } from '../electron/shared/types/runs';
import { descendants, isAlive } from '../electron/core/sidecar/kill-tree';
import { PYTHON, SFT_SAMPLE, WsClient, tinyModel } from '../electron/core/runs/integration/helpers';
import { DEMO_MODEL_ID } from '../electron/core/demo/ensure';
import { seedDemoModel } from '../electron/core/demo/integration/seed';
import { WizardPage } from './support/wizard-page';
import { launchBrowser, launchHeadless, openApp, pageErrors, screenshotPath, type HeadlessApp } from './support/app';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-multi-gpu-e2e-'));
const cleanup: (() => Promise<void> | void)[] = [() => fs.rmSync(tmp, { recursive: true, force: true })];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

let browser: Browser | null = null;
async function app(name: string, env: NodeJS.ProcessEnv = {}, seed = false): Promise<HeadlessApp> {
  const dataDir = path.join(tmp, name);
  fs.mkdirSync(dataDir);
  if (seed) await seedDemoModel(dataDir, { python: PYTHON });
  fs.writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ onboarded: true }));
  const a = await launchHeadless({ dataDir, env: { HONE_PYTHON: PYTHON, ...env } });
  cleanup.push(() => a.stop());
  if (!browser) {
    browser = await launchBrowser();
    const b = browser;
    cleanup.push(() => b.close());
  }
  return a;
}

test('two GPUs picked together: the notice, then a DDP plan over both with per-card memory', async () => {
  // Stand-in nvidia-smi (test double: no NVIDIA GPU on this machine) answering with the two-GPU fixture box.
  const fixture = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', 'electron', 'core', 'hardware', 'fixtures', 'two-gpus.json'), 'utf8')) as { nvidiaSmi: { gpus: string; apps: string; banner: string } };
  const bin = path.join(tmp, 'bin');
  fs.mkdirSync(bin);
  for (const k of ['gpus', 'apps', 'banner'] as const) fs.writeFileSync(path.join(bin, `${k}.txt`), fixture.nvidiaSmi[k]);
  fs.writeFileSync(path.join(bin, 'nvidia-smi'), '#!/bin/sh\nd=$(dirname "$0")\ncase "$1" in\n  --query-gpu=index,uuid,*) cat "$d/gpus.txt" ;;\n  --query-compute-apps=*) cat "$d/apps.txt" ;;\n  "") cat "$d/banner.txt" ;;\n  *) exit 2 ;;\nesac\n', { mode: 0o755 });
  const gpuApp = await app('gpus', { PATH: `${bin}${path.delimiter}${process.env.PATH}` });
  const p = await openApp(browser!, gpuApp);
  await p.getByTestId('gpu-picker').waitFor();
  assert.equal(await p.getByTestId('gpu-together-1').isChecked(), true, 'the picked card is part of any selection');
  await p.getByTestId('gpu-together-0').click();
  await p.getByTestId('gpu-several').waitFor();
  assert.match(await p.getByTestId('hardware-notice-MULTI_GPU').innerText(), /Training on 2 GPUs together \(1, 0\).*smallest card's budget \(GPU 0, 2\.9 GB free\)/);
  await p.getByTestId('wizard-next').click();
  await p.getByTestId('model-option-qwen2.5-0.5b-instruct').click();
  await p.waitForSelector('[data-testid="model-plan-preview"][data-fits="yes"]');
  assert.equal(await p.getByTestId('plan-strategy').getAttribute('data-strategy'), 'ddp');
  assert.match(await p.getByTestId('plan-strategy').innerText(), /DDP over 2 GPUs \(1, 0\)/);
  assert.match(await p.getByTestId('memory-per-process').innerText(), /per card \(2 cards, each a full copy\)/);
  await p.screenshot({ path: screenshotPath('multi-gpu-1-plan'), fullPage: true });
  assert.deepEqual(pageErrors.get(p), []);
  await p.close();
});

test('the wizard trains the demo model with 2 CPU processes: a line per process in the live charts, 2 processes recorded', { timeout: 420_000 }, async () => {
  const cpuApp = await app('cpu', {}, true);
  const page = await openApp(browser!, cpuApp);
  const byTestId = (id: string) => page.getByTestId(id);
  await new WizardPage(page, 'multi-gpu').toMethod(DEMO_MODEL_ID);
  await page.locator('[data-testid="plan-advanced"] summary').click();
  await byTestId('advanced-processes').fill('2');
  await byTestId('plan-row-strategy').waitFor();
  assert.match(await byTestId('plan-row-strategy').innerText(), /DDP over 2 CPU processes \(gloo\)\s+2 CPU processes, data parallel/);
  assert.match(await byTestId('plan-row-batch').innerText(), /With 2 processes each optimiser step sees/);
  await byTestId('wizard-next').click();
  await byTestId('step-train').waitFor();
  assert.match(await byTestId('train-plan').innerText(), /Processes\s+2: DDP on the CPU \(gloo\)/);
  await byTestId('train-max-steps').fill('8');
  await byTestId('train-start').click();
  await byTestId('run-dashboard').waitFor();
  await byTestId('train-next-export').waitFor({ timeout: 360_000 });
  for (const id of ['chart-ranks-rss-gb', 'chart-ranks-cpu-util']) {
    const chart = byTestId(id);
    await chart.waitFor();
    assert.match(await chart.innerText(), /rank 0 \(cpu\)[\s\S]*rank 1 \(cpu\)/, `${id}: one line per process`);
  }
  await page.screenshot({ path: screenshotPath('multi-gpu-2-cpu-run'), fullPage: true });
  await byTestId('nav-runs').click();
  await byTestId('run-processes').waitFor();
  assert.match(await byTestId('run-processes').innerText(), /2 processes/);
  assert.deepEqual(pageErrors.get(page), []);
  await page.close();
});

test('kill -9 the headless server under a 2-process run: the launcher and both ranks leave; after a restart the run is interrupted and resumable', { timeout: 420_000, skip: process.platform === 'win32' ? 'POSIX signals' : false }, async () => {
  const first = await app('crash');
  const ws = await WsClient.connect(first.port, first.token);
  cleanup.push(() => ws.close());
  // The tiny random model: what is under test is the process tree, not what the model learns.
  const model = tinyModel();
  const plan = await ws.invoke<Plan>('plan.compute', { model, overrides: { maxSeqLength: 64, batchSize: 2, gradAccum: 1, processes: 2 } });
  assert.equal(plan.distributed?.processes, 2);
  const run = await ws.invoke<RunSummary>('runs.start', { config: { model, dataset: SFT_SAMPLE, objective: 'sft', plan, maxSteps: 100_000, saveSteps: 2, evalSteps: null, seed: 5, name: 'killed under 2 processes' } });
  await ws.waitFor((e) => e.runId === run.id && e.kind === 'sidecar' && e.event?.type === 'metrics' && (e.event as { step: number }).step >= 3, 300_000, 'step 3');
  // Everything the server started: accelerate's launcher, torchrun's agent, the two ranks (and their helpers).
  const tree = descendants(first.process.pid!);
  assert.ok(tree.length >= 3, `a launcher and 2 ranks under the server: ${tree}`);
  first.process.kill('SIGKILL');
  await new Promise((r) => first.process.once('exit', r));
  // Nobody is left holding the cores: rank 0 sees its stdin close and the stop reaches rank 1 through the
  // ranks' control group; the launcher and agent leave when their ranks have.
  const deadline = Date.now() + 30_000;
  while (tree.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(tree.filter(isAlive), [], 'every process of the run has exited');

  const second = await launchHeadless({ dataDir: first.dataDir, env: { HONE_PYTHON: PYTHON } });
  cleanup.push(() => second.stop());
  const ws2 = await WsClient.connect(second.port, second.token);
  cleanup.push(() => ws2.close());
  const after = await ws2.invoke<RunDetail>('runs.get', { runId: run.id });
  assert.equal(after.status, 'interrupted');
  assert.equal(after.resumable, true, 'a checkpoint of the 2-process run to resume from');
  assert.equal(after.processes, 2);
});
