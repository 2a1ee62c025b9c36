/**
 * The headless transport: the contract over one WebSocket, with reconnect. The first message of every
 * connection is `{type: 'auth', token}`: the server never takes the cookie for the socket, and the token
 * stays out of the socket's URL. A close with 4401 (wrong or missing token) ends the retries.
 */
import type { Bridge, EventChannel, Events, RequestChannel, WireServerMessage } from '../../../electron/shared/contract';
import type { ErrorInfo } from '../../../electron/shared/errors';

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };

/** The server's close code for "no valid token" (electron/headless/connection.ts). */
export const CLOSE_UNAUTHORIZED = 4401;

export class BridgeError extends Error implements ErrorInfo {
  code: ErrorInfo['code'];
  hint?: string;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.code = info.code;
    this.hint = info.hint;
  }
}

export interface WebSocketBridgeOptions {
  url: string;
  /** null: this tab has no token (opened without the printed URL); nothing is attempted. */
  token: string | null;
  onConnection?: (connected: boolean) => void;
  onUnauthorized?: () => void;
}

const UNAUTHORIZED: ErrorInfo = {
  code: 'UNAUTHORIZED',
  message: 'This page has no valid Hone token.',
  hint: 'Open the URL Hone printed when it started (it ends in ?token=...).',
};

export function createWebSocketBridge(opts: WebSocketBridgeOptions): Bridge {
  let ws: WebSocket | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  const listeners = new Map<EventChannel, Set<(p: unknown) => void>>();
  let retry = 250;
  let refused = opts.token === null;

  const failAll = (info: ErrorInfo) => {
    for (const [id, p] of pending) {
      p.reject(new BridgeError(info));
      pending.delete(id);
    }
  };

  const connect = () => {
    const sock = new WebSocket(opts.url);
    ws = sock;
    sock.onopen = () => {
      retry = 250;
      sock.send(JSON.stringify({ type: 'auth', token: opts.token }));
      sock.send(JSON.stringify({ type: 'ready' }));
      for (const m of queue.splice(0)) sock.send(m);
      opts.onConnection?.(true);
    };
    sock.onmessage = (ev) => {
      let msg: WireServerMessage;
      try {
        msg = JSON.parse(String(ev.data)) as WireServerMessage;
      } catch {
        return;
      }
      if ('event' in msg) {
        for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
        return;
      }
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new BridgeError(msg.error));
    };
    sock.onclose = (ev) => {
      opts.onConnection?.(false);
      if (ev.code === CLOSE_UNAUTHORIZED) {
        refused = true;
        failAll(UNAUTHORIZED);
        queue.length = 0;
        opts.onUnauthorized?.();
        return;
      }
      failAll({ code: 'INTERNAL', message: 'Lost the connection to Hone.', hint: 'It reconnects by itself; try again.' });
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    };
  };
  if (refused) setTimeout(() => opts.onUnauthorized?.(), 0);
  else connect();

  return {
    invoke<C extends RequestChannel>(channel: C, ...params: unknown[]) {
      if (refused) return Promise.reject(new BridgeError(UNAUTHORIZED)) as never;
      const id = nextId++;
      const text = JSON.stringify({ id, channel, params: params[0] });
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        if (ws?.readyState === WebSocket.OPEN) ws.send(text);
        else queue.push(text);
      }) as never;
    },
    on<E extends EventChannel>(channel: E, listener: (payload: Events[E]) => void) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener as (p: unknown) => void);
      return () => set.delete(listener as (p: unknown) => void);
    },
  };
}
