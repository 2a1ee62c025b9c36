// Changing the Python Hone runs, in Chromium against a real headless Hone: the Settings page asks first and
// says Hone will run it; cancelling changes nothing; a program that is not Python is refused with a message;
// the test Python is accepted after the confirmation; saving again asks nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { launchBrowser, launchHeadless, openApp, pageErrors, type HeadlessApp } from './support/app';

let app: HeadlessApp;
let browser: Browser;
let page: Page;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-settings-python-'));
const python = process.env.HONE_PYTHON && fs.existsSync(process.env.HONE_PYTHON) ? process.env.HONE_PYTHON : null;

before(async () => {
  fs.mkdirSync(path.join(tmp, 'data'));
  fs.writeFileSync(path.join(tmp, 'data', 'settings.json'), JSON.stringify({ onboarded: true }));
  // No HONE_PYTHON: the environment would override whatever the page saves.
  app = await launchHeadless({ dataDir: path.join(tmp, 'data'), env: { HONE_PYTHON: undefined } });
  browser = await launchBrowser();
  page = await openApp(browser, app);
});

after(async () => {
  await browser?.close();
  await app?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function savedPython(): Promise<string | null> {
  const ws = new WebSocket(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`);
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  const reply = new Promise<{ result: { pythonPath: string | null } }>((r) => ws.once('message', (d) => r(JSON.parse(String(d)))));
  ws.send(JSON.stringify({ id: 1, channel: 'settings.get' }));
  const { result } = await reply;
  ws.close();
  return result.pythonPath;
}

test('a new Python needs the user\'s yes, and must answer as Python before it is saved', async () => {
  const marker = path.join(tmp, 'ran');
  const script = path.join(tmp, 'not-python.sh');
  fs.writeFileSync(script, `#!/bin/sh\necho hello > "${marker}"\n`, { mode: 0o755 });
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings').waitFor();
  await page.getByTestId('settings-python').fill(script);
  await page.getByTestId('settings-save').click();
  const dialog = page.getByTestId('settings-python-confirm');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Hone will run/);
  assert.ok((await dialog.innerText()).includes(script));
  assert.equal(fs.existsSync(marker), false, 'nothing runs before the user confirms');
  await page.getByTestId('settings-python-confirm-no').click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await savedPython(), null, 'cancel changed nothing');

  await page.getByTestId('settings-save').click();
  await page.getByTestId('settings-python-confirm-yes').click();
  const error = page.locator('[data-testid="settings"] .error-box', { hasText: 'did not answer as Python' });
  await error.waitFor();
  assert.equal(await savedPython(), null, 'a program that is not Python is not saved');

  if (python) {
    await page.getByTestId('settings-python').fill(python);
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-python-confirm-yes').click();
    await page.locator('[data-testid="settings"] .badge.ok', { hasText: 'Saved' }).waitFor();
    assert.equal(await savedPython(), python);
    // Saving again with the same Python asks nothing.
    await page.getByTestId('settings-save').click();
    await page.locator('[data-testid="settings"] .badge.ok', { hasText: 'Saved' }).waitFor();
    assert.equal(await dialog.count(), 0);
  }
  assert.deepEqual(pageErrors.get(page), []);
});
