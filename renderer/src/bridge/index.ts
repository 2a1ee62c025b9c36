/**
 * The renderer's only door to the core. In Electron it is `window.hone` (the preload); in a browser
 * (headless mode) it is a WebSocket to the server that served this page.
 */
import type { Bridge } from '../../../electron/shared/contract';
import { createWebSocketBridge } from './websocket';

declare global {
  interface Window {
    hone?: Bridge;
    honeReady?: () => void;
  }
}

const TOKEN_KEY = 'hone.token';

/**
 * Headless mode is opened with ?token=...: the token moves at once from the address bar (and the history
 * entry, which replaceState overwrites) into this tab's sessionStorage, which no other origin, other ports
 * included, can read. A reload finds it there; a tab opened without the printed URL has none.
 */
export function takeToken(win: Pick<Window, 'location' | 'history' | 'sessionStorage'> = window): string | null {
  const url = new URL(win.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null) {
    win.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    win.history.replaceState(win.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  }
  return win.sessionStorage.getItem(TOKEN_KEY);
}

function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/ws`;
}

export const connectionListeners = new Set<(connected: boolean) => void>();
/** Told when the server refuses this page's token (or it has none): the app says to open the printed URL. */
export const unauthorizedListeners = new Set<() => void>();
export let unauthorized = false;

export const bridge: Bridge =
  window.hone ??
  createWebSocketBridge({
    url: wsUrl(),
    token: takeToken(),
    onConnection: (c) => connectionListeners.forEach((l) => l(c)),
    onUnauthorized: () => {
      unauthorized = true;
      unauthorizedListeners.forEach((l) => l());
    },
  });

export function announceReady(): void {
  window.honeReady?.();
}

export { BridgeError } from './websocket';

/** A user-facing message for anything a request rejected with. */
export function errorText(err: unknown): { message: string; hint?: string; code?: string } {
  if (err && typeof err === 'object' && 'message' in err) {
    const e = err as { message: string; hint?: string; code?: string };
    return { message: e.message, hint: e.hint, code: e.code };
  }
  return { message: String(err) };
}
