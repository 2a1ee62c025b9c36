/**
 * One WebSocket client of the headless server. Nothing a client sends can stop the server: every frame is
 * handled inside try/catch, the socket has its 'error' listener (ws reports invalid UTF-8 and oversized
 * frames there, then closes with 1007 / 1009), and a frame that is not a request closes only this
 * connection, with a code and a reason that says why. A request with bad params gets a BAD_REQUEST answer
 * from the dispatcher and the connection stays open.
 *
 * Authentication is the token, never the cookie: in the URL (`/ws?token=`, for scripts) or, as the app
 * does, in the first message `{type: 'auth', token}`. Until then nothing else is read and no event is sent.
 */
import type { RawData, WebSocket } from 'ws';
import type { Core } from '../core/app';
import type { WireServerMessage } from '../shared/contract';
import { dispatch } from '../transport/dispatch';
import { sameSecret } from './policy';

export const CLOSE = {
  /** A binary frame: the protocol is JSON text. */
  UNSUPPORTED: 1003,
  /** Not JSON (ws itself uses it for invalid UTF-8). */
  INVALID_DATA: 1007,
  /** JSON, but not a message of the protocol. */
  POLICY: 1008,
  INTERNAL: 1011,
  /** No token, or the wrong one. The app stops reconnecting and says to open the printed URL. */
  UNAUTHORIZED: 4401,
} as const;

export interface ConnectionOptions {
  core: Core;
  token: string;
  /** The upgrade carried the token (URL or Authorization): no auth message needed. */
  authenticated: boolean;
  authTimeoutMs?: number;
  log?: (line: string) => void;
}

const ENVELOPE_KEYS = new Set(['id', 'channel', 'params']);

function text(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function serveConnection(ws: WebSocket, opts: ConnectionOptions): void {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let authed = opts.authenticated;
  let ready = false;
  let closed = false;
  const held: WireServerMessage[] = [];
  let unsubscribe: (() => void) | null = null;

  const send = (msg: WireServerMessage) => {
    if (ws.readyState !== ws.OPEN) return;
    let json: string;
    try {
      json = JSON.stringify(msg);
    } catch (err) {
      if (!('id' in msg)) return log(`hone: an event could not be sent: ${String(err)}`);
      json = JSON.stringify({ id: msg.id, ok: false, error: { code: 'INTERNAL', message: `The answer could not be encoded: ${String(err)}` } });
    }
    ws.send(json, (err) => err && log(`hone: a WebSocket send failed: ${err.message}`));
  };
  const close = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    try {
      ws.close(code, reason.slice(0, 120)); // a close reason is at most 123 bytes
    } catch {
      ws.terminate();
    }
  };
  const subscribe = () => {
    // Events are held until the client says it is ready, so none is lost between connect and subscribe.
    unsubscribe = opts.core.bus.onAny((event, payload) => {
      const msg: WireServerMessage = { event, payload };
      if (ready) send(msg);
      else if (held.length < 10_000) held.push(msg);
    });
  };
  const authTimer = authed ? null : setTimeout(() => close(CLOSE.UNAUTHORIZED, 'UNAUTHORIZED: no token was sent'), opts.authTimeoutMs ?? 10_000);
  if (authed) subscribe();

  const handle = async (data: RawData, isBinary: boolean): Promise<void> => {
    if (closed) return;
    if (isBinary) return close(CLOSE.UNSUPPORTED, 'BAD_REQUEST: send JSON text frames, not binary');
    let msg: unknown;
    try {
      msg = JSON.parse(text(data));
    } catch {
      return close(CLOSE.INVALID_DATA, 'BAD_REQUEST: a message was not valid JSON');
    }
    if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return close(CLOSE.POLICY, 'BAD_REQUEST: a message must be a JSON object');
    const m = msg as Record<string, unknown>;
    if (!authed) {
      if (m.type === 'auth' && typeof m.token === 'string' && sameSecret(m.token, opts.token)) {
        authed = true;
        if (authTimer) clearTimeout(authTimer);
        subscribe();
        return;
      }
      return close(CLOSE.UNAUTHORIZED, m.type === 'auth' ? 'UNAUTHORIZED: wrong token' : 'UNAUTHORIZED: the first message must be {type:"auth", token}');
    }
    if (m.type === 'auth') return; // a token in the URL and in a message: already in
    if (m.type === 'ready') {
      ready = true;
      for (const h of held.splice(0)) send(h);
      return;
    }
    if (!isId(m.id)) return close(CLOSE.POLICY, 'BAD_REQUEST: a request needs {id: a whole number, channel, params}');
    const extra = Object.keys(m).find((k) => !ENVELOPE_KEYS.has(k));
    if (extra !== undefined) {
      return send({ id: m.id, ok: false, error: { code: 'BAD_REQUEST', message: `Unknown field "${extra.slice(0, 50)}" in a request: send {id, channel, params}.` } });
    }
    const reply = await dispatch(opts.core.handlers, m.channel, m.params);
    send({ id: m.id, ...reply } as WireServerMessage);
  };

  ws.on('message', (data, isBinary) => {
    handle(data, isBinary).catch((err: unknown) => {
      log(`hone: a WebSocket message failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      close(CLOSE.INTERNAL, 'INTERNAL: the server could not handle a message');
    });
  });
  // ws reports protocol violations here (invalid UTF-8, a frame over maxPayload) and closes the socket
  // itself; without a listener the 'error' event would throw and take the whole server down.
  ws.on('error', (err) => log(`hone: a WebSocket client was disconnected: ${err.message}`));
  ws.on('close', () => {
    closed = true;
    if (authTimer) clearTimeout(authTimer);
    unsubscribe?.();
  });
}
