/**
 * The Electron shell: a window, the IPC adapter, and OS services (keep-awake, notifications, quit guard).
 * Everything else lives in electron/core, which never imports electron.
 */
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Notification, powerSaveBlocker, safeStorage, session, shell } from 'electron';
import { createCore } from '../core/app';
import { registerIpc } from './ipc';
import { createSafeStorageSecrets } from './secrets';
import { systemProxyResolver } from './system-proxy';
import { appUrlOf } from './security';
import { createMainWindow } from './window';

// Every renderer sandboxed, whatever a future window forgets to set.
app.enableSandbox();

const gotLock = app.requestSingleInstanceLock();
if (!gotLock) app.quit();

// Bundled to dist/electron/main.cjs; resources sit in the repo root (dev) or resources/ of the package.
const root = app.isPackaged ? process.resourcesPath : path.join(__dirname, '..', '..');
const core = createCore({
  mode: 'electron',
  // The Hugging Face token, encrypted by the OS keychain, kept in userData.
  secrets: createSafeStorageSecrets(safeStorage, path.join(app.getPath('userData'), 'secrets')),
  // Hub downloads follow the system proxy (PAC included) when no proxy is set in Settings or the environment.
  resolveProxy: systemProxyResolver(app, () => session.defaultSession),
  // "Show in folder" on an export: the core checks the path is one of Hone's files before this is called.
  showItemInFolder: (p) => shell.showItemInFolder(p),
  paths: {
    dataDir: process.env.HONE_DATA_DIR ?? path.join(app.getPath('userData')),
    resourcesDir: path.join(root, 'resources'),
    pythonRuntimeDir: path.join(root, 'python-runtime'),
  },
});

let win: BrowserWindow | null = null;
let blocker: number | null = null;

// Keep the machine awake while a run trains; tell the user when it ends.
core.bus.on('runs.event', (e) => {
  if (e.kind !== 'status' || !e.status) return;
  if (e.status === 'training' && blocker === null) blocker = powerSaveBlocker.start('prevent-app-suspension');
  if (['completed', 'stopped', 'failed', 'interrupted'].includes(e.status)) {
    if (blocker !== null) powerSaveBlocker.stop(blocker);
    blocker = null;
    if (Notification.isSupported()) new Notification({ title: 'Hone', body: `Run ${e.runId} ${e.status}.` }).show();
  }
});

// dist/electron/main.cjs -> dist/renderer/index.html, inside the asar when packaged.
const indexHtml = path.join(__dirname, '..', 'renderer', 'index.html');

app.whenReady().then(() => {
  registerIpc(core, ipcMain, () => win?.webContents ?? null, appUrlOf(indexHtml));
  win = createMainWindow({ preload: path.join(__dirname, 'preload.cjs'), indexHtml });
  app.on('second-instance', () => win?.focus());
});

let quitting = false;
app.on('before-quit', async (event) => {
  if (quitting) return;
  const runs = await core.handlers['runs.list']().catch(() => []);
  const active = runs.filter((r) => r.status === 'training' || r.status === 'preparing');
  event.preventDefault();
  if (active.length > 0 && win) {
    const { response } = await dialog.showMessageBox(win, {
      type: 'question',
      buttons: ['Stop training and quit', 'Keep training'],
      defaultId: 1,
      message: 'A run is still training.',
      detail: 'Quitting stops it gracefully: the current step finishes and a checkpoint is saved, so you can resume later.',
    });
    if (response === 1) return;
    for (const r of active) await core.handlers['runs.stop']({ runId: r.id }).catch(() => undefined);
  }
  quitting = true;
  await core.close();
  app.quit();
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
