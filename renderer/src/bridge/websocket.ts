/** The headless transport: the contract over one WebSocket, with reconnect. */
import type { Bridge, EventChannel, Events, RequestChannel, WireServerMessage } from '../../../electron/shared/contract';
import type { ErrorInfo } from '../../../electron/shared/errors';

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };

export class BridgeError extends Error implements ErrorInfo {
  code: ErrorInfo['code'];
  hint?: string;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.code = info.code;
    this.hint = info.hint;
  }
}

export function createWebSocketBridge(url: string, onConnection?: (connected: boolean) => void): Bridge {
  let ws: WebSocket | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  const listeners = new Map<EventChannel, Set<(p: unknown) => void>>();
  let retry = 250;

  const connect = () => {
    const sock = new WebSocket(url);
    ws = sock;
    sock.onopen = () => {
      retry = 250;
      sock.send(JSON.stringify({ type: 'ready' }));
      for (const m of queue.splice(0)) sock.send(m);
      onConnection?.(true);
    };
    sock.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as WireServerMessage;
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
    sock.onclose = () => {
      onConnection?.(false);
      for (const [id, p] of pending) {
        p.reject(new BridgeError({ code: 'INTERNAL', message: 'Lost the connection to Hone.', hint: 'It reconnects by itself; try again.' }));
        pending.delete(id);
      }
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    };
  };
  connect();

  return {
    invoke<C extends RequestChannel>(channel: C, ...params: unknown[]) {
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
