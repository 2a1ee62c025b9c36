/**
 * The one Electron test double (Electron's binary cannot be downloaded here): an in-memory ipcMain /
 * ipcRenderer pair that behaves like Electron's for the calls our adapter and preload make.
 */
import type { IpcMainInvokeEvent, IpcRendererEvent } from 'electron';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;
type Listener = (event: IpcRendererEvent, ...args: unknown[]) => void;

export function createFakeIpc() {
  const handlers = new Map<string, Handler>();
  const mainListeners = new Map<string, Set<(...a: unknown[]) => void>>();
  const rendererListeners = new Map<string, Set<Listener>>();
  const sent: { channel: string; payload: unknown }[] = [];

  const ipcMain = {
    handle(channel: string, fn: Handler) {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, fn);
    },
    removeHandler(channel: string) {
      handlers.delete(channel);
    },
    on(channel: string, fn: (...a: unknown[]) => void) {
      if (!mainListeners.has(channel)) mainListeners.set(channel, new Set());
      mainListeners.get(channel)!.add(fn);
      return ipcMain;
    },
    removeAllListeners(channel?: string) {
      if (channel) mainListeners.delete(channel);
      else mainListeners.clear();
      return ipcMain;
    },
  };

  const webContents = {
    send(channel: string, payload: unknown) {
      sent.push({ channel, payload });
      for (const l of rendererListeners.get(channel) ?? []) l({} as IpcRendererEvent, payload);
    },
  };

  const ipcRenderer = {
    async invoke(channel: string, ...args: unknown[]) {
      const h = handlers.get(channel);
      if (!h) throw new Error(`No handler registered for '${channel}'`);
      // Electron passes values through the structured clone algorithm.
      return structuredClone(await h({} as IpcMainInvokeEvent, ...args.map((a) => structuredClone(a))));
    },
    on(channel: string, fn: Listener) {
      if (!rendererListeners.has(channel)) rendererListeners.set(channel, new Set());
      rendererListeners.get(channel)!.add(fn);
      return ipcRenderer;
    },
    removeListener(channel: string, fn: Listener) {
      rendererListeners.get(channel)?.delete(fn);
      return ipcRenderer;
    },
    send(channel: string, ...args: unknown[]) {
      for (const l of mainListeners.get(channel) ?? []) l({}, ...args);
    },
  };

  return { ipcMain, ipcRenderer, webContents, handlers, sent };
}
