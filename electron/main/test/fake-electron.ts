/**
 * The one Electron test double (Electron's binary cannot be downloaded here): an in-memory ipcMain /
 * ipcRenderer pair that behaves like Electron's for the calls our adapter and preload make, and a
 * webContents / session that record the handlers security.ts installs so tests can fire their events.
 */
import type { IpcMainInvokeEvent, IpcRendererEvent } from 'electron';

/** The page the fake renderer runs (what pathToFileURL(dist/renderer/index.html) gives in the app). */
export const FAKE_APP_URL = 'file:///opt/hone/resources/app.asar/dist/renderer/index.html';

/** What Electron passes as event.senderFrame: the frame's URL, and its parent (null for the main frame). */
export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;
type Listener = (event: IpcRendererEvent, ...args: unknown[]) => void;

export function createFakeIpc() {
  /** The frame the next calls come from; tests point it at an iframe or another page. null: a destroyed frame. */
  const sender: { frame: FakeFrame | null } = { frame: { url: FAKE_APP_URL, parent: null } };
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
      return structuredClone(await h({ senderFrame: sender.frame } as unknown as IpcMainInvokeEvent, ...args.map((a) => structuredClone(a))));
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
      for (const l of mainListeners.get(channel) ?? []) l({ senderFrame: sender.frame }, ...args);
    },
  };

  return { ipcMain, ipcRenderer, webContents, handlers, sent, sender };
}

type Listener_ = (event: FakeEvent, ...args: unknown[]) => void;

export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
  isMainFrame?: boolean;
}

/** A webContents that keeps the listeners and the window-open handler, and fires them like Electron does. */
export function createFakeWebContents() {
  const listeners = new Map<string, Listener_[]>();
  let windowOpen: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  const contents = {
    on(name: string, fn: Listener_) {
      listeners.set(name, [...(listeners.get(name) ?? []), fn]);
      return contents;
    },
    setWindowOpenHandler(fn: typeof windowOpen) {
      windowOpen = fn;
    },
  };
  /** Fires `name` as Electron would; true when a listener prevented it (the navigation does not happen). */
  const fire = (name: string, url: string, extra: Partial<FakeEvent> = {}): boolean => {
    const event: FakeEvent = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true), ...extra };
    for (const l of listeners.get(name) ?? []) l(event, url);
    return event.defaultPrevented;
  };
  const openWindow = (url: string) => {
    if (!windowOpen) throw new Error('no window open handler: Electron would open every window');
    return windowOpen({ url }).action;
  };
  return { contents, fire, openWindow, listeners };
}

/** A session whose permission handlers can be asked, like Chromium asks them. */
export function createFakeSession() {
  let request: ((wc: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void) | null = null;
  let check: ((wc: unknown, permission: string, origin: string, details: unknown) => boolean) | null = null;
  const session = {
    setPermissionRequestHandler(fn: typeof request) {
      request = fn;
    },
    setPermissionCheckHandler(fn: typeof check) {
      check = fn;
    },
  };
  /** Chromium's default, with no handler installed, is to grant. */
  const ask = (permission: string) =>
    new Promise<boolean>((resolve) => (request ? request({}, permission, resolve, {}) : resolve(true)));
  const checks = (permission: string, origin: string) => (check ? check({}, permission, origin, {}) : true);
  return { session, ask, checks };
}
