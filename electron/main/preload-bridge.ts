/**
 * The Bridge the preload exposes as `window.hone`: only the contract's channels pass, errors come back as
 * {code, message, hint}, and each subscription returns its unsubscribe. ipcRenderer is injected so this
 * is testable without Electron.
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import { EVENT_CHANNELS, REQUEST_CHANNELS, ipcEventChannel, ipcRequestChannel, type Bridge, type EventChannel, type RequestChannel } from '../shared/contract';
import type { ErrorInfo } from '../shared/errors';
import { IPC_READY_CHANNEL } from './ipc-channels';

const requests = new Set<string>(REQUEST_CHANNELS);
const events = new Set<string>(EVENT_CHANNELS);

export function createPreloadBridge(ipc: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener' | 'send'>): { bridge: Bridge; ready: () => void } {
  const bridge: Bridge = {
    async invoke(channel: RequestChannel, ...params: unknown[]) {
      if (!requests.has(channel)) throw new Error(`Unknown request ${channel}`);
      const reply = (await ipc.invoke(ipcRequestChannel(channel), params[0])) as { ok: true; result: unknown } | { ok: false; error: ErrorInfo };
      if (reply.ok) return reply.result as never;
      throw Object.assign(new Error(reply.error.message), reply.error);
    },
    on(channel: EventChannel, listener: (payload: never) => void) {
      if (!events.has(channel)) throw new Error(`Unknown event ${channel}`);
      const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload as never);
      ipc.on(ipcEventChannel(channel), wrapped);
      return () => {
        ipc.removeListener(ipcEventChannel(channel), wrapped);
      };
    },
  };
  return { bridge, ready: () => ipc.send(IPC_READY_CHANNEL) };
}
