/** The Electron IPC adapter: one ipcMain.handle per contract request, one webContents.send per event. */
import type { IpcMain, WebContents } from 'electron';
import type { Core } from '../core/app';
import { EVENT_CHANNELS, REQUEST_CHANNELS, ipcEventChannel, ipcRequestChannel, type EventChannel } from '../shared/contract';
import { dispatch } from '../transport/dispatch';

import { IPC_READY_CHANNEL } from './ipc-channels';

type Sender = Pick<WebContents, 'send'>;

// ipcMain is injected so the adapter can be tested without an Electron binary (see test/fake-electron.ts).
export function registerIpc(core: Core, ipcMain: Pick<IpcMain, 'handle' | 'removeHandler' | 'on' | 'removeAllListeners'>, contents: () => Sender | null): () => void {
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(ipcRequestChannel(channel), (_event, params: unknown) => dispatch(core.handlers, channel, params));
  }
  let ready = false;
  const held: [EventChannel, unknown][] = [];
  ipcMain.on(IPC_READY_CHANNEL, () => {
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
    ipcMain.removeAllListeners(IPC_READY_CHANNEL);
  };
}
