/**
 * The Electron IPC adapter: one ipcMain.handle per contract request, one webContents.send per event. Every
 * call is answered only when it comes from Hone's page in the main frame (security.ts: senderAllowed); the
 * params are checked against the contract's schemas by dispatch() before a handler runs.
 */
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import type { Core } from '../core/app';
import { EVENT_CHANNELS, REQUEST_CHANNELS, ipcEventChannel, ipcRequestChannel, type EventChannel } from '../shared/contract';
import { dispatch } from '../transport/dispatch';
import type { ErrorInfo } from '../shared/errors';
import { senderAllowed } from './security';

import { IPC_READY_CHANNEL } from './ipc-channels';

type Sender = Pick<WebContents, 'send'>;

const REFUSED: { ok: false; error: ErrorInfo } = { ok: false, error: { code: 'UNAUTHORIZED', message: 'Only Hone\'s own page may call Hone.' } };

// ipcMain is injected so the adapter can be tested without an Electron binary (see test/fake-electron.ts).
export function registerIpc(
  core: Core,
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler' | 'on' | 'removeAllListeners'>,
  contents: () => Sender | null,
  appUrl: string,
): () => void {
  const trusted = (event: Pick<IpcMainInvokeEvent | IpcMainEvent, 'senderFrame'>) => senderAllowed(event.senderFrame, appUrl);
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(ipcRequestChannel(channel), (event, params: unknown) => (trusted(event) ? dispatch(core.handlers, channel, params) : REFUSED));
  }
  let ready = false;
  const held: [EventChannel, unknown][] = [];
  ipcMain.on(IPC_READY_CHANNEL, (event) => {
    if (!trusted(event)) return;
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
