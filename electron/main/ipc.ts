/** The Electron IPC adapter: one ipcMain.handle per contract request, one webContents.send per event. */
import { ipcMain, type WebContents } from 'electron';
import type { Core } from '../core/app';
import { EVENT_CHANNELS, REQUEST_CHANNELS, ipcEventChannel, ipcRequestChannel, type EventChannel } from '../shared/contract';
import { dispatch } from '../transport/dispatch';

const READY = `${ipcRequestChannel('app.info')}:ready`;

export function registerIpc(core: Core, contents: () => WebContents | null): () => void {
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(ipcRequestChannel(channel), (_event, params: unknown) => dispatch(core.handlers, channel, params));
  }
  // Events wait for the renderer's "ready" so nothing sent during page load is lost.
  let ready = false;
  const held: [EventChannel, unknown][] = [];
  ipcMain.on(READY, () => {
    ready = true;
    for (const [c, p] of held.splice(0)) contents()?.send(ipcEventChannel(c), p);
  });
  const allowed = new Set<EventChannel>(EVENT_CHANNELS);
  const off = core.bus.onAny((channel, payload) => {
    if (!allowed.has(channel)) return;
    if (!ready) held.push([channel, payload]);
    else contents()?.send(ipcEventChannel(channel), payload);
  });
  return () => {
    off();
    for (const channel of REQUEST_CHANNELS) ipcMain.removeHandler(ipcRequestChannel(channel));
    ipcMain.removeAllListeners(READY);
  };
}

export const IPC_READY_CHANNEL = READY;
