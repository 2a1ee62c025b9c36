/**
 * Event pipeline benchmark: a synthetic sidecar (a Python process speaking the real JSON-lines protocol)
 * is driven by the real run manager: SidecarProcess parses and schema-validates each line, the recorder
 * numbers it and writes metrics + replay log to SQLite in batches, the bus hands it to the headless
 * WebSocket server, and a client in a worker thread (its own event loop, as a browser tab has) measures
 * emit -> client latency. Baseline, in the same command: the same Python emitter's lines forwarded raw
 * over a WebSocket (no parsing, validation, store or numbering): the transport's floor.
 *
 *   npx tsx bench/event-pipeline.ts [--rate 2000] [--seconds 10] [--burst 40000]
 * Targets: 2,000 events/s sustained, p99 emit -> client under 250 ms.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { createCore } from '../electron/core/app';
import { REPO_ROOT } from '../electron/core/paths';
import { startHeadless } from '../electron/headless/server';
import { CPU_PLAN, PYTHON, SFT_SAMPLE } from '../electron/core/runs/integration/helpers';
import { parseArgs, numberFlag } from '../electron/cli/args';

const args = parseArgs(process.argv.slice(2), { string: ['rate', 'seconds', 'burst'] });
const RATE = numberFlag(args, 'rate') ?? 2000;
const SECONDS = numberFlag(args, 'seconds') ?? 10;
const BURST = numberFlag(args, 'burst') ?? 40_000;

// The synthetic sidecar: `ready`, then on `start` N metrics events at RATE per second (0: flat out), then `done`.
const EMITTER = String.raw`
import json, os, sys, time, datetime
seq = 0
def line(obj):
    global seq
    seq += 1
    obj["seq"] = seq
    obj["ts"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps(obj) + "\n"
out = sys.stdout
out.write(line({"type": "ready", "version": "bench", "backend": "plain", "device": "cpu", "torch": "none", "cuda": False, "pid": os.getpid()}))
out.flush()
if os.environ.get("HONE_BENCH_WAIT_START", "1") == "1":
    sys.stdin.readline()
n = int(os.environ["HONE_BENCH_EVENTS"]); rate = float(os.environ["HONE_BENCH_RATE"])
t0 = time.time(); i = 0
while i < n:
    due = n if rate <= 0 else min(n, int((time.time() - t0) * rate) + 1)
    chunk = []
    while i < due:
        i += 1
        chunk.append(line({"type": "metrics", "step": i, "max_steps": n, "epoch": i / n, "loss": 2.0 + 1.0 / i, "learning_rate": 2e-4,
                           "grad_norm": 1.0, "tokens_per_second": 1234.5, "bench_emit_ms": time.time() * 1000}))
    out.write("".join(chunk)); out.flush()
    if rate > 0: time.sleep(0.002)
out.write(line({"type": "done", "stopped": False, "final_step": n, "final_loss": 2.0, "output_dir": os.getcwd()}))
out.flush()
`;

// The client: counts metrics events and their emit -> arrival latency until `done`; works on both wire shapes.
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const WebSocket = require(workerData.ws);
const sock = new WebSocket(workerData.url);
const lat = []; let first = 0, last = 0, lastSeq = 0, gaps = 0;
sock.on('open', () => { sock.send(JSON.stringify({ type: 'ready' })); parentPort.postMessage({ open: true }); });
sock.on('message', (data) => {
  const now = Date.now();
  let m = JSON.parse(String(data));
  if (m.event === 'runs.event') { if (m.payload.seq !== lastSeq + 1 && lastSeq) gaps++; lastSeq = m.payload.seq; if (m.payload.kind !== 'sidecar') return; m = m.payload.event; }
  else if (m.event) return;
  if (m.type === 'metrics') { if (!first) first = now; last = now; lat.push(now - m.bench_emit_ms); }
  if (m.type === 'done') { parentPort.postMessage({ lat, first, last, gaps }); sock.close(); }
});`;

interface Result { count: number; perSec: number; p50: number; p99: number; max: number; gaps: number }

function clientWorker(url: string): { opened: Promise<void>; result: Promise<Result> } {
  const w = new Worker(CLIENT, { eval: true, workerData: { url, ws: path.join(REPO_ROOT, 'node_modules', 'ws') } });
  let onOpen!: () => void;
  const opened = new Promise<void>((r) => (onOpen = r));
  const result = new Promise<Result>((resolve, reject) => {
    w.on('error', reject);
    w.on('message', (m: { open?: boolean; lat: number[]; first: number; last: number; gaps: number }) => {
      if (m.open) return onOpen();
      const lat = m.lat.sort((a, b) => a - b);
      const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
      resolve({ count: lat.length, perSec: lat.length / Math.max(0.001, (m.last - m.first) / 1000), p50: q(0.5), p99: q(0.99), max: lat.at(-1) ?? 0, gaps: m.gaps });
      void w.terminate();
    });
  });
  return { opened, result };
}

function runtimeDir(tmp: string): string {
  // A python-runtime whose hone_sidecar is the emitter, beside the real schema and locks.
  const dir = path.join(tmp, 'python-runtime');
  fs.mkdirSync(path.join(dir, 'hone_sidecar'), { recursive: true });
  fs.cpSync(path.join(REPO_ROOT, 'python-runtime', 'requirements'), path.join(dir, 'requirements'), { recursive: true });
  fs.copyFileSync(path.join(REPO_ROOT, 'python-runtime', 'hone_sidecar', 'protocol.schema.json'), path.join(dir, 'hone_sidecar', 'protocol.schema.json'));
  fs.writeFileSync(path.join(dir, 'hone_sidecar', '__init__.py'), '');
  fs.writeFileSync(path.join(dir, 'hone_sidecar', '__main__.py'), EMITTER);
  return dir;
}

async function throughManager(tmp: string, events: number, rate: number): Promise<Result> {
  const dataDir = fs.mkdtempSync(path.join(tmp, 'data-'));
  const model = path.join(tmp, 'model');
  fs.mkdirSync(model, { recursive: true });
  fs.writeFileSync(path.join(model, 'config.json'), '{}');
  const env = { ...process.env, HONE_PYTHON: PYTHON, HONE_BENCH_EVENTS: String(events), HONE_BENCH_RATE: String(rate) };
  const core = createCore({ mode: 'headless', paths: { dataDir, pythonRuntimeDir: runtimeDir(tmp) }, env });
  const server = await startHeadless({ core, staticDir: tmp });
  const client = clientWorker(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
  await client.opened;
  const run = await core.handlers['runs.start']({ config: { model, dataset: SFT_SAMPLE, objective: 'sft', plan: CPU_PLAN, maxSteps: events } });
  const result = await client.result;
  const stored = core.handlers['runs.metrics']({ runId: run.id, names: ['loss'] });
  if ((await stored).length !== events) throw new Error(`the store holds ${(await stored).length} of ${events} loss values`);
  await server.close();
  await core.close();
  return result;
}

async function raw(tmp: string, events: number, rate: number): Promise<Result> {
  const http_ = http.createServer();
  const wss = new WebSocketServer({ server: http_ });
  await new Promise<void>((r) => http_.listen(0, '127.0.0.1', r));
  const client = clientWorker(`ws://127.0.0.1:${(http_.address() as AddressInfo).port}/`);
  const sock = await new Promise<import('ws').WebSocket>((r) => wss.once('connection', r));
  await client.opened;
  const child = spawn(PYTHON, ['-m', 'hone_sidecar'], {
    env: { ...process.env, PYTHONPATH: runtimeDir(tmp), PYTHONUNBUFFERED: '1', HONE_BENCH_EVENTS: String(events), HONE_BENCH_RATE: String(rate), HONE_BENCH_WAIT_START: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      sock.send(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  const result = await client.result;
  child.kill();
  wss.close();
  http_.close();
  return result;
}

const fmt = (r: Result) => `${String(r.count).padStart(6)} events  ${r.perSec.toFixed(0).padStart(7)} /s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms  max ${r.max.toFixed(0).padStart(5)} ms  gaps ${r.gaps}`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-bench-events-'));
try {
  console.log(`Event pipeline: ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? ''}`);
  console.log(`\nSteady: ${RATE} events/s for ${SECONDS} s`);
  const steadyRaw = await raw(tmp, RATE * SECONDS, RATE);
  console.log(`  raw socket (baseline)          ${fmt(steadyRaw)}`);
  const steady = await throughManager(tmp, RATE * SECONDS, RATE);
  console.log(`  manager+store+WebSocket        ${fmt(steady)}`);
  console.log(`\nBurst: ${BURST} events as fast as the emitter can write`);
  const burstRaw = await raw(tmp, BURST, 0);
  console.log(`  raw socket (baseline)          ${fmt(burstRaw)}`);
  const burst = await throughManager(tmp, BURST, 0);
  console.log(`  manager+store+WebSocket        ${fmt(burst)}`);
  console.log('\nRatios (pipeline / baseline):');
  console.log(`  steady p99 latency  ${(steady.p99 / Math.max(0.1, steadyRaw.p99)).toFixed(2)}x  (${steady.p99.toFixed(1)} vs ${steadyRaw.p99.toFixed(1)} ms; target p99 < 250 ms: ${steady.p99 < 250 ? 'met' : 'NOT met'})`);
  console.log(`  sustained rate      ${(burst.perSec / burstRaw.perSec).toFixed(2)}x  (${burst.perSec.toFixed(0)} vs ${burstRaw.perSec.toFixed(0)} events/s; target 2,000/s: ${burst.perSec >= 2000 && steady.perSec >= RATE * 0.95 ? 'met' : 'NOT met'})`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
