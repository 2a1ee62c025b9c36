// The Electron shell's security decisions (security.ts), each with the attack it stops, driven through the
// fake Electron (no Electron binary here): navigation, dropped files, new windows, frames, permissions,
// links, and IPC from a frame that is not Hone's page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IpcMain, IpcRenderer, Session, WebContents } from 'electron';
import { createCore } from '../core/app';
import { appUrlOf, externalUrlAllowed, hardenContents, hardenSession, isAppUrl, senderAllowed } from './security';
import { registerIpc } from './ipc';
import { createPreloadBridge } from './preload-bridge';
import { createFakeIpc, createFakeSession, createFakeWebContents, FAKE_APP_URL } from './test/fake-electron';

test('the app URL is the index.html file URL, matched exactly (a fragment aside)', () => {
  assert.equal(appUrlOf('/opt/hone/dist/renderer/index.html'), 'file:///opt/hone/dist/renderer/index.html');
  assert.equal(isAppUrl(FAKE_APP_URL, FAKE_APP_URL), true);
  assert.equal(isAppUrl(`${FAKE_APP_URL}#runs`, FAKE_APP_URL), true);
  for (const other of [
    `${FAKE_APP_URL}?x=1`,
    'file:///opt/hone/resources/app.asar/dist/renderer/other.html',
    'file:///home/user/Downloads/index.html',
    'file:///opt/hone/resources/app.asar/dist/renderer/index.html.evil',
    'https://example.com/',
    'not a url',
  ]) {
    assert.equal(isAppUrl(other, FAKE_APP_URL), false, other);
  }
});

test('navigation: only the app URL; a dropped HTML file, a link or a redirect elsewhere is refused', () => {
  const fake = createFakeWebContents();
  const opened: string[] = [];
  hardenContents(fake.contents as unknown as WebContents, FAKE_APP_URL, (u) => opened.push(u));
  // Dropping a file onto the window makes Chromium navigate to it: it would run with window.hone.
  assert.equal(fake.fire('will-navigate', 'file:///home/user/Downloads/dropped.html'), true, 'a dropped file does not open');
  assert.equal(fake.fire('will-navigate', 'https://huggingface.co/'), true, 'the window never leaves the app');
  assert.equal(fake.fire('will-navigate', `${FAKE_APP_URL}#top`), false, 'the app itself may reload or follow an anchor');
  assert.equal(fake.fire('will-redirect', 'https://evil.example/'), true);
  assert.equal(fake.fire('will-frame-navigate', 'https://evil.example/', { isMainFrame: false }), true, 'no frame may load anything');
  assert.equal(fake.fire('will-attach-webview', 'about:blank'), true);
  assert.deepEqual(opened, []);
});

test('new windows never open in the app; only https links to allow-listed hosts reach the browser', () => {
  const fake = createFakeWebContents();
  const opened: string[] = [];
  hardenContents(fake.contents as unknown as WebContents, FAKE_APP_URL, (u) => opened.push(u));
  assert.equal(fake.openWindow('https://ollama.com/download'), 'deny');
  assert.equal(fake.openWindow('https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct'), 'deny');
  for (const bad of ['http://huggingface.co/', 'https://huggingface.co.evil.example/', 'https://evil.example/', 'https://user:pw@github.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'https://github.com:8443/']) {
    assert.equal(fake.openWindow(bad), 'deny', bad);
    assert.equal(externalUrlAllowed(bad), false, bad);
  }
  assert.deepEqual(opened, ['https://ollama.com/download', 'https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct']);
});

test('every permission request and check is denied (Chromium grants them when no handler is set)', async () => {
  const before = createFakeSession();
  assert.equal(await before.ask('media'), true, 'the fake behaves like Chromium without a handler');
  const fake = createFakeSession();
  hardenSession(fake.session as unknown as Session);
  for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'serial']) {
    assert.equal(await fake.ask(p), false, p);
    assert.equal(fake.checks(p, 'file:///'), false, p);
  }
});

test('senderFrame: only the main frame showing the app URL', () => {
  assert.equal(senderAllowed({ url: FAKE_APP_URL, parent: null }, FAKE_APP_URL), true);
  assert.equal(senderAllowed({ url: FAKE_APP_URL, parent: { url: FAKE_APP_URL, parent: null } }, FAKE_APP_URL), false, 'an iframe, even of the app');
  assert.equal(senderAllowed({ url: 'file:///tmp/dropped.html', parent: null }, FAKE_APP_URL), false);
  assert.equal(senderAllowed(null, FAKE_APP_URL), false, 'a frame destroyed before its call arrived');
});

test('IPC from a frame that is not Hone\'s page is refused before any handler runs, and its ready is ignored', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-ipc-sec-'));
  const core = createCore({ mode: 'electron', paths: { dataDir }, env: {} });
  const fake = createFakeIpc();
  const unregister = registerIpc(core, fake.ipcMain as unknown as IpcMain, () => fake.webContents, FAKE_APP_URL);
  const { bridge, ready } = createPreloadBridge(fake.ipcRenderer as unknown as IpcRenderer);
  try {
    fake.sender.frame = { url: 'file:///tmp/dropped.html', parent: null };
    await assert.rejects(bridge.invoke('settings.set', { theme: 'dark' }), (err: { code?: string }) => err.code === 'UNAUTHORIZED');
    fake.sender.frame = { url: FAKE_APP_URL, parent: { url: FAKE_APP_URL, parent: null } };
    await assert.rejects(bridge.invoke('app.info'), (err: { code?: string }) => err.code === 'UNAUTHORIZED');
    ready(); // from the iframe: must not release held events to the window
    core.bus.emit('runtime.progress', { stage: 'x', done: 0, total: 1, unit: 'packages' });
    assert.deepEqual(fake.sent, [], 'events stay held until Hone\'s own page is ready');
    fake.sender.frame = { url: FAKE_APP_URL, parent: null };
    assert.equal((await bridge.invoke('settings.get')).theme, 'system', 'the refused call changed nothing');
    // The IPC adapter validates through the same dispatcher as the headless server.
    await assert.rejects(bridge.invoke('settings.set', { ollamaHost: 5 } as never), (err: { code?: string; message?: string }) => err.code === 'BAD_REQUEST' && /ollamaHost/.test(err.message ?? ''));
  } finally {
    unregister();
    await core.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
