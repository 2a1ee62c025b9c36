// The Dataset step in Chromium against a real headless Hone: pick the bundled sample, see the detected
// format, the first rows, the rows through the demo model's chat template with the trained part
// highlighted, the statistics and histogram; import it; then a broken file's problems with their line
// numbers, the bad-rows decision, and DPO data switching the objective.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from '../electron/core/paths';
import { launchBrowser, launchHeadless, openApp, pageErrors, screenshotPath, type HeadlessApp } from './support/app';

let app: HeadlessApp;
let browser: Browser;
let page: Page;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-dataset-'));
const broken = path.join(tmp, 'my data', 'broken.jsonl');

before(async () => {
  fs.mkdirSync(path.dirname(broken), { recursive: true });
  fs.copyFileSync(path.join(REPO_ROOT, 'electron', 'core', 'datasets', 'fixtures', 'errors.jsonl'), broken);
  // Past the welcome screen (it has its own spec), so the app opens on the wizard.
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
const text = async (id: string) => (await byTestId(id).first().innerText()).replace(/\s+/g, ' ');

test('reach the Dataset step with the demo model chosen', async () => {
  await byTestId('step-hardware').waitFor();
  await byTestId('wizard-next').click();
  await byTestId('model-option-smollm2-135m-instruct').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="model-chosen"]')?.textContent?.includes('SmolLM2 135M'));
  await byTestId('wizard-next').click();
  await byTestId('step-dataset').waitFor();
});

test('the sample dataset: detected format, preview, the chat template applied, statistics and histogram', async () => {
  await byTestId('dataset-sample-sft-sample').click();
  await byTestId('dataset-detected').waitFor();
  assert.match(await text('dataset-detected'), /OpenAI messages .*detected, 100% of rows match/);
  assert.equal(await byTestId('dataset-preview-row').count(), 20);
  assert.match(await text('dataset-preview'), /user .*assistant/i);
  await byTestId('dataset-rendered-row').first().waitFor();
  const rendered = await byTestId('dataset-rendered-row').first().innerText();
  assert.match(rendered, /<\|im_start\|>user\n/);
  // The trained part is the assistant's answer and its end token, highlighted.
  const trained = await byTestId('dataset-train-segment').first().innerText();
  assert.match(trained, /<\|im_end\|>$/);
  assert.doesNotMatch(trained, /<\|im_start\|>/);
  assert.equal(await text('dataset-stat-rows'), '400');
  assert.match(await text('dataset-stat-lengths'), /^\d+ \/ \d+ \/ \d+$/);
  assert.ok((await page.locator('[data-testid="dataset-histogram"] .recharts-bar-rectangle').count()) > 0, 'histogram bars drawn');
  await page.screenshot({ path: screenshotPath('dataset-1-sample'), fullPage: true });
  await byTestId('dataset-import').click();
  await byTestId('dataset-imported').waitFor();
  assert.match(await text('dataset-imported'), /Imported \d+ training rows and \d+ evaluation rows as messages/);
  assert.equal(await byTestId('wizard-next').isEnabled(), true);
  assert.equal(fs.readdirSync(path.join(app.dataDir, 'datasets')).length, 1);
});

test('a broken file: every problem with its line number, the good rows counted, skip or stop decided by the user', async () => {
  await byTestId('dataset-path').fill(broken);
  await byTestId('dataset-check').click();
  await page.waitForSelector('[data-testid="dataset-issue"]');
  const issues = await page.$$eval('[data-testid="dataset-issue"]', (rows) => rows.map((r) => `${r.getAttribute('data-line')} ${r.getAttribute('data-code')}`));
  assert.deepEqual(issues, ['2 INVALID_JSON', '3 MISSING_FIELD', '4 EMPTY_FIELD', '5 UNKNOWN_ROLE', '6 NOT_ENDING_WITH_ASSISTANT', '7 ROLES_NOT_ALTERNATING', '8 DUPLICATE_ROW', '10 INVALID_UTF8', '12 WRONG_TYPE']);
  assert.match(await text('dataset-issues'), /Line .*Field .*Problem/);
  assert.match(await text('dataset-bad-rows'), /7 of 13 rows have errors/);
  assert.equal(await text('dataset-stat-rows'), '6');
  assert.equal(await byTestId('wizard-next').isEnabled(), false, 'a new file needs a new import');
  await page.screenshot({ path: screenshotPath('dataset-2-broken'), fullPage: true });
  await byTestId('dataset-bad-stop').check();
  assert.equal(await byTestId('dataset-import').isEnabled(), false);
  await byTestId('dataset-bad-skip').check();
  // Evaluated on a separate file (in the same format) instead of a share of this one.
  await byTestId('dataset-eval-path').fill(path.join(REPO_ROOT, 'electron', 'core', 'datasets', 'fixtures', 'messages-array.json'));
  await byTestId('dataset-import').click();
  await byTestId('dataset-imported').waitFor();
  assert.match(await text('dataset-imported'), /Imported 6 training rows and 2 evaluation rows, 7 bad rows skipped/);
  await byTestId('dataset-eval-path').fill('');
});

test('DPO data: rendered as chosen and rejected, and the import switches the objective to DPO', async () => {
  await byTestId('dataset-sample-dpo-sample').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="dataset-detected"]')?.textContent?.includes('DPO'));
  await page.waitForFunction(() => document.querySelector('[data-testid="dataset-rendered"]')?.textContent?.includes('rejected'));
  await byTestId('dataset-import').click();
  await byTestId('dataset-imported').waitFor();
  await byTestId('wizard-next').click();
  await byTestId('step-method').waitFor();
  assert.equal(await byTestId('objective-dpo').isChecked(), true);
  assert.deepEqual(pageErrors.get(page), []);
});
