/**
 * The preload: exposes `window.hone` (the contract's Bridge), never ipcRenderer itself. Only channels in the
 * contract's lists pass; each subscription returns its unsubscribe.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  EVENT_CHANNELS,
  REQUEST_CHANNELS,
  ipcEventChannel,
  ipcRequestChannel,
  type Bridge,
  type EventChannel,
  type RequestChannel,
} from '../shared/contract';
import type { ErrorInfo } from '../shared/errors';

const requests = new Set<string>(REQUEST_CHANNELS);
const events = new Set<string>(EVENT_CHANNELS);

const bridge: Bridge = {
  async invoke(channel: RequestChannel, ...params: unknown[]) {
    if (!requests.has(channel)) throw new Error(`Unknown request ${channel}`);
    const reply = (await ipcRenderer.invoke(ipcRequestChannel(channel), params[0])) as
      | { ok: true; result: unknown }
      | { ok: false; error: ErrorInfo };
    if (reply.ok) return reply.result as never;
    throw Object.assign(new Error(reply.error.message), reply.error);
  },
  on(channel: EventChannel, listener: (payload: never) => void) {
    if (!events.has(channel)) throw new Error(`Unknown event ${channel}`);
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload as never);
    ipcRenderer.on(ipcEventChannel(channel), wrapped);
    return () => {
      ipcRenderer.removeListener(ipcEventChannel(channel), wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('hone', bridge);
contextBridge.exposeInMainWorld('honeReady', () => ipcRenderer.send(`${ipcRequestChannel('app.info')}:ready`));
