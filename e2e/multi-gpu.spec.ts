// Several GPUs or processes (issue #15) in the UI, against a real headless Hone:
// - two NVIDIA GPUs (a stand-in nvidia-smi on PATH, as foundation.spec.ts does): pick both together on the
//   Hardware step, and the plan trains on both with its strategy shown;
// - this machine's CPU: the wizard trains the demo model with 2 processes (the Advanced panel), the live charts
//   draw one line per process, and the run says it had 2 processes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { PYTHON } from '../electron/core/runs/integration/helpers';
import { DEMO_MODEL_ID } from '../electron/core/demo/ensure';
import { seedDemoModel } from '../electron/core/demo/integration/seed';
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
  await byTestId('step-hardware').waitFor();
  await byTestId('wizard-next').click();
  await byTestId(`model-option-${DEMO_MODEL_ID}`).click();
  await byTestId('wizard-next').click();
  await byTestId('dataset-sample-sft-sample').click();
  await byTestId('dataset-import').click();
  await byTestId('dataset-imported').waitFor({ timeout: 60_000 });
  await byTestId('wizard-next').click();
  await page.locator('[data-testid="plan-card"][data-fits="yes"]').waitFor({ timeout: 60_000 });
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
