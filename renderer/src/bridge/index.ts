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

function wsUrl(): string {
  const { protocol, host } = window.location;
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/ws?token=${encodeURIComponent(token)}`;
}

export const connectionListeners = new Set<(connected: boolean) => void>();

export const bridge: Bridge =
  window.hone ?? createWebSocketBridge(wsUrl(), (c) => connectionListeners.forEach((l) => l(c)));

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
