// The IPC adapter and the preload's bridge together, over the fake Electron IPC (no Electron binary here),
// with the real core behind them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IpcMain, IpcRenderer } from 'electron';
import { createCore } from '../core/app';
import { REQUEST_CHANNELS, type Bridge } from '../shared/contract';
import { registerIpc } from './ipc';
import { createPreloadBridge } from './preload-bridge';
import { createFakeIpc, FAKE_APP_URL } from './test/fake-electron';

function setup() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-ipc-'));
  const core = createCore({ mode: 'electron', paths: { dataDir }, env: {} });
  const fake = createFakeIpc();
  const unregister = registerIpc(core, fake.ipcMain as unknown as IpcMain, () => fake.webContents, FAKE_APP_URL);
  const { bridge, ready } = createPreloadBridge(fake.ipcRenderer as unknown as IpcRenderer);
  return { core, fake, unregister, bridge: bridge as Bridge, ready, dataDir };
}

test('every contract request has a handler and round-trips through the preload', async () => {
  const { fake, bridge, unregister, core, dataDir } = setup();
  try {
    for (const c of REQUEST_CHANNELS) assert.ok(fake.handlers.has(`hone:req:${c}`), `no IPC handler for ${c}`);
    const info = await bridge.invoke('app.info');
    assert.equal(info.mode, 'electron');
    assert.equal(info.dataDir, dataDir);
    const s = await bridge.invoke('settings.set', { theme: 'dark' });
    assert.equal(s.theme, 'dark');
    assert.equal((await bridge.invoke('settings.get')).theme, 'dark');
  } finally {
    unregister();
    await core.close();
  }
});

test('errors cross as {code, message, hint}; unknown channels are refused', async () => {
  const { bridge, unregister, core } = setup();
  try {
    await assert.rejects(() => (bridge.invoke as (c: string) => Promise<unknown>)('fs.readFile'), /Unknown request/);
    await assert.rejects(bridge.invoke('runs.get', { runId: 'no-such-run' }), (err: { code?: string; message?: string }) => {
      assert.ok(typeof err.code === 'string' && err.code.length > 0);
      assert.ok(err.message);
      return true;
    });
  } finally {
    unregister();
    await core.close();
  }
});

test('events sent before the renderer is ready are held, then delivered in order; unsubscribe works', async () => {
  const { bridge, ready, unregister, core } = setup();
  try {
    const got: string[] = [];
    const off = bridge.on('runtime.progress', (p) => got.push(p.stage));
    core.bus.emit('runtime.progress', { stage: 'a', done: 0, total: 2, unit: 'packages' });
    core.bus.emit('runtime.progress', { stage: 'b', done: 1, total: 2, unit: 'packages' });
    assert.deepEqual(got, []);
    ready();
    assert.deepEqual(got, ['a', 'b']);
    core.bus.emit('runtime.progress', { stage: 'c', done: 2, total: 2, unit: 'packages' });
    off();
    core.bus.emit('runtime.progress', { stage: 'd', done: 2, total: 2, unit: 'packages' });
    assert.deepEqual(got, ['a', 'b', 'c']);
  } finally {
    unregister();
    await core.close();
  }
});
