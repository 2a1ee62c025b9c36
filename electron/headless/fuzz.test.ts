/**
 * A fuzz corpus against the real headless server with a real core, while a real run trains (the tiny model
 * on the CPU, when a test Python is set): broken frames close only their own connection with a clear code;
 * every channel answers BAD_REQUEST to wrong types, null, huge and deep values and prototype keys; and
 * afterwards the server answers, the run is still training and its events kept flowing. The test process
 * fails on any unhandled rejection or uncaught 'error', which is how these frames killed the server before.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { z } from 'zod';
import type { Core } from '../core/app';
import { inProcessCore, runConfig, tempDataDir, WsClient, isMetrics } from '../core/runs/integration/helpers';
import { REQUEST_CHANNELS, type WireServerMessage } from '../shared/contract';
import type { RunSummary } from '../shared/types/runs';
import { REQUEST_PARAMS } from '../shared/params';
import { startHeadless, type HeadlessServer } from './server';

const python = process.env.HONE_PYTHON && fs.existsSync(process.env.HONE_PYTHON) ? process.env.HONE_PYTHON : null;
const MAX_PAYLOAD = 4 * 1024 * 1024;

let dataDir: string;
let core: Core;
let server: HeadlessServer;
let watcher: WsClient;
let run: RunSummary | null = null;

before(async () => {
  dataDir = tempDataDir();
  core = inProcessCore(dataDir);
  server = await startHeadless({ core, staticDir: dataDir, maxPayload: MAX_PAYLOAD, log: () => undefined });
  watcher = await WsClient.connect(server.port, server.token);
  if (python) {
    run = await watcher.invoke<RunSummary>('runs.start', { config: runConfig({ maxSteps: 2000, name: 'fuzzed while training' }) });
    await watcher.waitFor(isMetrics(run.id), 240_000, 'the first training step');
  }
});

after(async () => {
  if (run) {
    await watcher.invoke('runs.stop', { runId: run.id }).catch(() => undefined);
    await watcher.waitFor((e) => e.runId === run!.id && e.kind === 'status' && ['stopped', 'completed', 'failed', 'interrupted'].includes(e.status ?? ''), 120_000).catch(() => undefined);
  }
  watcher?.close();
  await server?.close();
  await core?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function connect(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Sends one raw frame on a fresh connection; resolves with how the server closed it (or its answer). */
async function sendFrame(frame: string | Buffer, binary = false): Promise<{ code?: number; reason?: string; answer?: WireServerMessage }> {
  const ws = await connect();
  ws.on('error', () => undefined); // our own side may see the close as an error for oversized frames
  return new Promise((resolve) => {
    // A server that neither answers nor closes (how the old one behaved, just before dying) fails, not hangs.
    const timer = setTimeout(() => resolve({ code: -1, reason: 'neither an answer nor a close within 10 s' }), 10_000);
    ws.once('close', () => clearTimeout(timer));
    ws.once('message', (d) => {
      resolve({ answer: JSON.parse(String(d)) as WireServerMessage });
      ws.close();
    });
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) }));
    ws.send(frame, { binary });
  });
}

async function alive(): Promise<void> {
  const c = await WsClient.connect(server.port, server.token);
  const info = await c.invoke<{ mode: string }>('app.info');
  assert.equal(info.mode, 'headless');
  c.close();
  if (run) {
    const r = await watcher.invoke<RunSummary>('runs.get', { runId: run.id });
    assert.equal(r.status, 'training', 'the run is still training');
  }
}

test('broken frames close only their own connection, with a code that says why; the server and the run go on', async () => {
  let deep = '';
  for (let i = 0; i < 100_000; i++) deep += '[';
  deep += ']'.repeat(100_000);
  const cases: [string, string | Buffer, number | 'answer', RegExp, boolean?][] = [
    ['null', 'null', 1008, /BAD_REQUEST: a message must be a JSON object/],
    ['a number', '5', 1008, /JSON object/],
    ['a string', '"app.info"', 1008, /JSON object/],
    ['an array', '[]', 1008, /JSON object/],
    ['not JSON', '{"id": 1, channel', 1007, /not valid JSON/],
    ['a string id', '{"id":"1","channel":"app.info"}', 1008, /numeric id|whole number/],
    ['a negative id', '{"id":-1,"channel":"app.info"}', 1008, /whole number/],
    ['__proto__ as the envelope', '{"__proto__":{"id":1},"channel":"app.info"}', 1008, /whole number/],
    ['deep JSON', deep, 1008, /JSON object/],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 1007, /.*/],
    ['a binary frame', Buffer.from('{"id":1,"channel":"app.info"}'), 1003, /binary/, true],
    ['an oversized frame', `{"id":1,"channel":"settings.set","params":{"ollamaHost":"${'x'.repeat(MAX_PAYLOAD)}"}}`, 1009, /.*/],
    ['an unknown envelope field', '{"id":1,"channel":"app.info","params":null,"extra":1}', 'answer', /Unknown field "extra"/],
    ['a number as channel', '{"id":2,"channel":5}', 'answer', /Unknown request "5"/],
  ];
  for (const [what, frame, expected, reason, binary] of cases) {
    const r = await sendFrame(frame, binary);
    if (expected === 'answer') {
      const a = r.answer as { ok: boolean; error?: { code: string; message: string } };
      assert.equal(a?.ok, false, what);
      assert.equal(a.error?.code, 'BAD_REQUEST', what);
      assert.match(a.error!.message, reason, what);
    } else {
      assert.equal(r.code, expected, `${what}: closed with ${r.code} ${r.reason}`);
      assert.match(r.reason ?? '', reason, what);
    }
    await alive();
  }
});

/** Values no schema takes at the top level, whatever the channel. */
function topLevelCorpus(): { what: string; params: unknown }[] {
  let deep: unknown = {};
  for (let i = 0; i < 1000; i++) deep = { a: deep }; // far past MAX_DEPTH, within what JSON.stringify can write
  return [
    { what: 'null', params: null },
    { what: 'a number', params: 5 },
    { what: 'a string', params: 'x' },
    { what: 'true', params: true },
    { what: 'an array', params: [] },
    { what: 'an unknown key', params: { extra: 'junk' } },
    { what: 'deep', params: deep },
    { what: '__proto__', params: JSON.parse('{"__proto__": {"polluted": true}}') },
    { what: 'constructor.prototype', params: JSON.parse('{"constructor": {"prototype": {"polluted": true}}}') },
  ];
}

/** For each key of the channel's params: values of the wrong type, each checked to be refused by that key's schema. */
function keyCorpus(schema: z.ZodType): { what: string; params: unknown }[] {
  const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  if (!(inner instanceof z.ZodObject)) return [];
  const out: { what: string; params: unknown }[] = [];
  const huge = 'x'.repeat(1_000_001);
  for (const [key, field] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
    for (const value of [5, -1, 1.5, 'not-valid-🙂', true, null, [], {}, [{}], { nested: [1, 'x'] }, huge, JSON.parse('{"__proto__": "x"}')]) {
      if (!field.safeParse(value).success) out.push({ what: `${key} = ${JSON.stringify(value)?.slice(0, 30)}`, params: { [key]: value } });
    }
  }
  return out;
}

test('every channel answers BAD_REQUEST to the corpus, on one connection that stays open; the run keeps streaming', async () => {
  const ws = await connect();
  const replies = new Map<number, WireServerMessage>();
  const waiting = new Map<number, () => void>();
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as WireServerMessage;
    if ('id' in m) {
      replies.set(m.id, m);
      waiting.get(m.id)?.();
    }
  });
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  const metricsBefore = run ? watcher.events.filter(isMetrics(run.id)).length : 0;
  let id = 0;
  let count = 0;
  for (const channel of REQUEST_CHANNELS) {
    const corpus = [...topLevelCorpus(), ...keyCorpus(REQUEST_PARAMS[channel])];
    for (const { what, params } of corpus) {
      const myId = ++id;
      const answered = new Promise<void>((r) => {
        waiting.set(myId, r);
        setTimeout(r, 10_000);
      });
      ws.send(JSON.stringify({ id: myId, channel, params }));
      await answered;
      const reply = replies.get(myId) as { ok: boolean; error?: { code: string; message: string } } | undefined;
      assert.ok(reply, `${channel} ${what}: no answer within 10 s`);
      assert.equal(reply.ok, false, `${channel} ${what} was accepted`);
      assert.equal(reply.error?.code, 'BAD_REQUEST', `${channel} ${what}: ${reply.error?.code} ${reply.error?.message}`);
      assert.match(reply.error!.message, new RegExp(`^(Bad request to ${channel.replace('.', '\\.')}: |Unknown request)`));
      count++;
    }
  }
  assert.ok(count > 500, `${count} requests`);
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was touched');
  assert.equal(ws.readyState, WebSocket.OPEN, 'bad params never close the connection');
  ws.close();
  await closed;
  await alive();
  if (run) {
    // Steps kept coming while the server was being fuzzed.
    await watcher.waitFor(() => watcher.events.filter(isMetrics(run!.id)).length > metricsBefore, 120_000, 'a training step after the fuzz');
  }
});
