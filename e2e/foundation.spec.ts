// The wizard's first steps in Chromium against a real headless Hone (this machine: no GPU): open the
// token URL, see the hardware step with the CPU-only banner, search and pick models, see the plan with its
// memory bar and reasons, change it in the Advanced panel, and add a local model folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, launchHeadless, openApp, pageErrors, screenshotPath, type HeadlessApp } from './support/app';

let app: HeadlessApp;
let browser: Browser;
let page: Page;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-foundation-'));

before(async () => {
  // The machine as it is: PATH has no nvidia-smi, so Hone sees no NVIDIA GPU. The welcome screen was done
  // before (it has its own spec), so the app opens on the wizard.
  fs.mkdirSync(path.join(tmp, 'data'));
  fs.writeFileSync(path.join(tmp, 'data', 'settings.json'), JSON.stringify({ onboarded: true }));
  app = await launchHeadless({ dataDir: path.join(tmp, 'data') });
  browser = await launchBrowser();
  page = await openApp(browser, app);
});

after(async () => {
  await browser?.close();
  await app?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const byTestId = (id: string) => page.getByTestId(id);
const text = async (id: string) => (await byTestId(id).innerText()).replace(/\s+/g, ' ');

test('the token URL opens the wizard on the hardware step, with the CPU-only banner and the machine\'s facts', async () => {
  await byTestId('step-hardware').waitFor();
  await byTestId('cpu-only-banner').waitFor();
  assert.match(await text('cpu-only-banner'), /CPU only\. No NVIDIA GPU found\. You can still run the built-in demo .* Fine-tuning large models needs an NVIDIA GPU\./);
  assert.match(await text('gpu-name'), /No NVIDIA GPU/);
  assert.match(await text('hw-cpu'), new RegExp(`${os.cpus().length} threads`));
  assert.match(await text('hw-disk'), new RegExp(`free in ${app.dataDir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
  assert.equal(await byTestId('gpu-picker').count(), 0, 'no GPU to pick');
  await page.screenshot({ path: screenshotPath('foundation-1-hardware') });
  await byTestId('wizard-next').click();
  await byTestId('step-model').waitFor();
});

test('the model picker searches the catalogue, shows size, licence, gated and whether each model fits', async () => {
  await byTestId('model-option-llama-3.1-8b-instruct').waitFor();
  await byTestId('model-search').fill('qwen 0.5');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid^="model-option-"]').length === 1);
  const qwen = byTestId('model-option-qwen2.5-0.5b-instruct');
  assert.match(await qwen.innerText(), /490M params/);
  assert.match(await qwen.innerText(), /apache-2\.0/);
  // On a CPU-only machine small models train (in the time the plan states); a 70B one is refused: the badge says so.
  await page.waitForSelector('[data-testid="fit-badge-qwen2.5-0.5b-instruct"][data-fits="yes"]');
  await byTestId('model-search').fill('llama 70b');
  await page.waitForSelector('[data-testid="fit-badge-llama-3.1-70b-instruct"][data-fits="no"]');
  assert.equal(await text('fit-badge-llama-3.1-70b-instruct'), 'needs an NVIDIA GPU');
  await byTestId('model-search').fill('llama 3.2 1b');
  assert.match(await byTestId('model-option-llama-3.2-1b-instruct').innerText(), /gated/);
  await byTestId('model-search').fill('');
  await page.waitForSelector('[data-testid="fit-badge-smollm2-135m-instruct"][data-fits="yes"]');
  assert.equal(await text('fit-badge-smollm2-135m-instruct'), 'runs on your CPU');
});

test('picking a model shows its plan; a model too big for this machine says what would fit', async () => {
  await byTestId('model-search').fill('70b');
  await byTestId('model-option-llama-3.1-70b-instruct').click();
  await page.waitForSelector('[data-testid="model-plan-preview"][data-fits="no"]');
  assert.match(await text('plan-reasons'), /No NVIDIA GPU: training runs on the CPU/);
  assert.match(await text('plan-reasons'), /The largest catalogue model that (fits|trains here in under \d+ h): /);
  await byTestId('model-search').fill('');
  await byTestId('model-option-smollm2-135m-instruct').click();
  await page.waitForSelector('[data-testid="model-plan-preview"][data-fits="yes"]');
  assert.equal(await byTestId('plan-method').getAttribute('data-method'), 'lora');
  assert.equal(await text('plan-fits'), 'Runs on your CPU');
  assert.equal(await byTestId('plan-memory-bar').getAttribute('data-over'), 'no');
  assert.match(await text('model-chosen'), /Chosen: SmolLM2 135M Instruct/);
  await page.screenshot({ path: screenshotPath('foundation-2-model') });
});

test('the Method step: objective, the plan with its memory bar, a reason beside each choice, and overrides that re-plan', async () => {
  await byTestId('model-adjust-plan').click();
  await byTestId('step-method').waitFor();
  await page.waitForSelector('[data-testid="plan-card"][data-fits="yes"]');
  assert.equal(await byTestId('plan-method').getAttribute('data-method'), 'lora');
  for (const part of ['weightsGb', 'trainableGb', 'activationsGb', 'overheadGb']) assert.equal(await byTestId(`memory-${part}`).count(), 1);
  assert.match(await text('plan-row-max_seq_length'), /max_seq_length \d+/);
  assert.match(await text('plan-row-lora'), /rank 16, alpha 16, dropout 0 .*\b4\.9M trainable parameters \(3\.6% of the model\)/);
  assert.match(await text('plan-row-optimizer'), /adamw_torch/);
  assert.match(await text('plan-reasons'), /Estimated peak .* of the .* budget/);
  await page.screenshot({ path: screenshotPath('foundation-3-method') });

  await byTestId('plan-advanced').locator('summary').click();
  await byTestId('advanced-rank').fill('32');
  await page.waitForFunction(() => /rank 32, alpha 32/.test(document.querySelector('[data-testid="plan-row-lora"]')?.textContent ?? ''));
  await byTestId('advanced-seq').fill('256');
  await page.waitForFunction(() => /256 tokens/.test(document.querySelector('[data-testid="plan-row-max_seq_length"]')?.textContent ?? ''));
  assert.match(await text('plan-row-max_seq_length'), /as asked/);
  await byTestId('objective-dpo').check();
  await page.waitForFunction(() => /DPO: the chosen and the rejected answer/.test(document.querySelector('[data-testid="plan-reasons"]')?.textContent ?? ''));
  await byTestId('advanced-method').selectOption('qlora');
  await page.waitForFunction(() => /QLoRA needs CUDA/.test(document.querySelector('[data-testid="plan-row-method"]')?.textContent ?? ''));
  await byTestId('advanced-reset').click();
  await page.waitForFunction(() => /rank 16, alpha 16/.test(document.querySelector('[data-testid="plan-row-lora"]')?.textContent ?? ''));
  await byTestId('objective-sft').check();
  await page.waitForSelector('[data-testid="wizard-next"]:not([disabled])');
  assert.match(await text('wizard-next'), /Next: choose a dataset/);
});

test('a local model folder: a wrong folder gets a clear message, a real one joins the list, chosen', async () => {
  await byTestId('wizard-back').click();
  await byTestId('step-model').waitFor();
  await byTestId('local-folder-path').fill(tmp);
  await byTestId('local-folder-add').click();
  await byTestId('local-folder-error').waitFor();
  assert.match(await text('local-folder-error'), /is not a model folder: it has no config\.json\. Pick the folder that holds config\.json/);

  const folder = path.join(tmp, 'my-tiny-llama');
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 64, intermediate_size: 192, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 2, vocab_size: 1024, max_position_embeddings: 1024 }));
  fs.writeFileSync(path.join(folder, 'tokenizer_config.json'), JSON.stringify({ chat_template: "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}" }));
  fs.writeFileSync(path.join(folder, 'pytorch_model.bin'), '');
  await byTestId('local-folder-path').fill(folder);
  await byTestId('local-folder-add').click();
  const option = byTestId(`model-option-local:${folder}`);
  await option.waitFor();
  assert.equal(await option.getAttribute('aria-pressed'), 'true');
  assert.match(await option.innerText(), new RegExp(`my-tiny-llama[\\s\\S]*${folder.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
  await page.waitForSelector('[data-testid="model-plan-preview"][data-fits="yes"]');
  assert.match(await text('model-chosen'), /Chosen: my-tiny-llama/);
  assert.deepEqual(pageErrors.get(page), []);
});

test('with two NVIDIA GPUs (a stand-in nvidia-smi on PATH): the picker, a re-plan for the busy card, fit badges', async () => {
  // Stand-in nvidia-smi (test double: no NVIDIA GPU on this machine) answering with the two-GPU fixture box.
  const fixture = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', 'electron', 'core', 'hardware', 'fixtures', 'two-gpus.json'), 'utf8')) as { nvidiaSmi: { gpus: string; apps: string; banner: string } };
  const bin = path.join(tmp, 'bin');
  fs.mkdirSync(bin);
  for (const k of ['gpus', 'apps', 'banner'] as const) fs.writeFileSync(path.join(bin, `${k}.txt`), fixture.nvidiaSmi[k]);
  fs.writeFileSync(path.join(bin, 'nvidia-smi'), '#!/bin/sh\nd=$(dirname "$0")\ncase "$1" in\n  --query-gpu=index,uuid,*) cat "$d/gpus.txt" ;;\n  --query-compute-apps=*) cat "$d/apps.txt" ;;\n  "") cat "$d/banner.txt" ;;\n  *) exit 2 ;;\nesac\n', { mode: 0o755 });
  const dataDir = path.join(tmp, 'data-gpu');
  fs.mkdirSync(dataDir);
  fs.writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ onboarded: true }));
  const gpuApp = await launchHeadless({ dataDir, env: { PATH: `${bin}${path.delimiter}${process.env.PATH}` } });
  const p = await openApp(browser, gpuApp);
  try {
    await p.getByTestId('gpu-picker').waitFor();
    assert.equal(await p.getByTestId('cpu-only-banner').count(), 0);
    assert.equal(await p.getByTestId('gpu-option-1').isChecked(), true, 'the idle RTX 4090 is picked');
    assert.match(await p.getByTestId('gpu-name').innerText(), /NVIDIA GeForce RTX 4090/);
    assert.match(await p.getByTestId('hardware-notice-MULTI_GPU').innerText(), /2 NVIDIA GPUs/);
    // click, not check(): the radio is controlled and turns on once the core confirms the choice
    await p.getByTestId('gpu-option-0').click();
    await p.getByTestId('hardware-notice-VRAM_IN_USE').waitFor();
    assert.match(await p.getByTestId('hardware-notice-VRAM_IN_USE').innerText(), /in use by python3 \(pid 41234, 21204 MB\)/);
    assert.match(await p.getByTestId('vram-bar').innerText(), /2\.9 GB free of 24\.0 GB/);
    assert.match(await p.getByTestId('hardware-notice-MULTI_GPU').innerText(), /training on GPU 0, .*, as you chose\. GPU 1 has the most free VRAM/);
    await p.screenshot({ path: screenshotPath('foundation-4-two-gpus') });
    await p.getByTestId('gpu-option-1').click();
    await p.waitForFunction(() => /RTX 4090/.test(document.querySelector('[data-testid="gpu-name"]')?.textContent ?? ''));
    await p.getByTestId('wizard-next').click();
    await p.waitForSelector('[data-testid="fit-badge-qwen2.5-7b-instruct"][data-fits="yes"]');
    assert.match(await p.getByTestId('fit-badge-qwen2.5-7b-instruct').innerText(), /fits your GPU \(LoRA, \d+\.\d GB\)/);
    assert.match(await p.getByTestId('fit-badge-qwen2.5-32b-instruct').innerText(), /fits your GPU \(QLoRA/);
    assert.equal(await p.getByTestId('fit-badge-llama-3.1-70b-instruct').getAttribute('data-fits'), 'no');
    await p.getByTestId('model-option-llama-3.1-8b-instruct').click();
    await p.waitForSelector('[data-testid="model-plan-preview"][data-fits="yes"]');
    assert.equal(await p.getByTestId('plan-method').getAttribute('data-method'), 'lora');
    assert.match(await p.getByTestId('plan-reasons').innerText(), /free of 24\.0 GB on NVIDIA GeForce RTX 4090/);
    await p.screenshot({ path: screenshotPath('foundation-5-gpu-model') });
    assert.deepEqual(pageErrors.get(p), []);
  } finally {
    await p.close();
    await gpuApp.stop();
  }
});
