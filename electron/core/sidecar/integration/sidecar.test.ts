/**
 * The real sidecar, started through SidecarProcess, training the tiny model on the CPU: a full run, a
 * graceful stop, a ping, and the sidecar's own exit when the process that started it is killed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { SidecarEvent } from '../../../shared/types/sidecar';
import { sharedTinyModel } from '../../ollama/integration/fixtures';
import { forEachLine } from '../../runtime/exec';
import { PYTHON_RUNTIME, testPython, tmpDir } from '../../runtime/integration/fixtures';
import { isAlive } from '../kill-tree';
import { SidecarProcess } from '../process';

const SAMPLES = path.join(PYTHON_RUNTIME, '..', 'resources', 'samples');
const dataDir = tmpDir('sidecar-data');
let python = '';
let model = '';
const running: SidecarProcess[] = [];

before(async () => {
  python = await testPython();
  process.env.HONE_PYTHON ||= python;
  model = sharedTinyModel();
});

after(async () => {
  for (const s of running) if (!s.exited && s.pid) await s.kill();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function sidecar(): SidecarProcess {
  const s = new SidecarProcess({ python, pythonRuntimeDir: PYTHON_RUNTIME, offline: true, stopTimeoutMs: 60_000 });
  running.push(s);
  return s;
}

const config = (out: string, maxSteps: number) => ({
  model_path: model,
  dataset_path: path.join(SAMPLES, 'sft-sample.jsonl'),
  output_dir: path.join(dataDir, out),
  max_steps: maxSteps,
  batch_size: 4,
  grad_accum: 1,
  max_seq_length: 256,
  learning_rate: 2e-3,
  save_steps: 2,
  backend: 'plain',
  seed: 1,
});

test('a run streams ready, metrics for every step and done; every line passes the protocol schema', { timeout: 10 * 60_000 }, async () => {
  const s = sidecar();
  const events: SidecarEvent[] = [];
  s.on('event', (e) => events.push(e));
  const ready = await s.start(config('full', 4));
  assert.equal(ready.backend, 'plain');
  assert.equal(ready.cuda, false);
  assert.ok((await s.ping()) < 10_000);
  const exit = await s.whenExited();
  assert.equal(exit.code, 0, exit.tail.join('\n'));
  const metrics = events.filter((e) => e.type === 'metrics');
  assert.deepEqual(metrics.map((m) => m.type === 'metrics' && m.step), [1, 2, 3, 4]);
  assert.ok(metrics.every((m) => m.type === 'metrics' && typeof m.loss === 'number'));
  assert.ok(exit.done && !exit.done.stopped && exit.done.final_step === 4);
  assert.ok(events.some((e) => e.type === 'pong'));
  const protocolWarnings = events.filter((e) => e.type === 'log' && /protocol|non-protocol/.test(e.message));
  assert.deepEqual(protocolWarnings, []);
  const seqs = events.map((e) => e.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'seq increases');
  const adapter = events.find((e) => e.type === 'artifact' && e.kind === 'adapter');
  assert.ok(adapter && adapter.type === 'artifact' && fs.existsSync(path.join(adapter.path, 'adapter_config.json')));
});

test('stop mid-run finishes the step, saves, and ends with done stopped:true', { timeout: 10 * 60_000 }, async () => {
  const s = sidecar();
  const checkpoints: string[] = [];
  let stopping: Promise<unknown> | null = null;
  s.on('event', (e) => {
    if (e.type === 'checkpoint') checkpoints.push(e.path);
    if (e.type === 'metrics' && e.step >= 2 && !stopping) stopping = s.stop();
  });
  await s.start(config('stopped', 500));
  const exit = await s.whenExited();
  await stopping;
  assert.equal(exit.code, 0, exit.tail.join('\n'));
  assert.equal(exit.killed, false);
  assert.ok(exit.done?.stopped, JSON.stringify(exit.done));
  assert.ok(exit.done!.final_step >= 2 && exit.done!.final_step < 500);
  assert.ok(checkpoints.length > 0 && fs.existsSync(checkpoints.at(-1)!), 'a checkpoint to resume from');
});

test('when the parent dies, the sidecar is gone within 5 s', { timeout: 10 * 60_000, skip: process.platform === 'win32' && 'SIGKILL of a parent is POSIX' }, async () => {
  const parent = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'parent.ts'), python, PYTHON_RUNTIME, JSON.stringify(config('orphan', 500))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((resolve, reject) => {
    forEachLine(parent.stdout, (line) => resolve((JSON.parse(line) as { pid: number }).pid));
    parent.on('exit', (code) => reject(new Error(`the parent exited first (${code})`)));
  });
  assert.ok(isAlive(pid));
  parent.kill('SIGKILL');
  const t0 = Date.now();
  while (isAlive(pid) && Date.now() - t0 < 8_000) await new Promise((r) => setTimeout(r, 100));
  const gone = Date.now() - t0;
  if (isAlive(pid)) process.kill(-pid, 'SIGKILL');
  assert.ok(gone <= 5_000, `the sidecar outlived its parent by ${gone} ms`);
});
