// The run manager's checks and failure paths that need no training: each bad input fails the run (or the
// request) with its own code and a message saying what to do, and nothing is left half-made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createCore } from '../app';
import { BusLog } from './integration/bus';
import { CPU_PLAN, PYTHON, runConfig, tempDataDir } from './integration/helpers';

function core(t: { after(fn: () => Promise<void>): void }, env: NodeJS.ProcessEnv = { ...process.env, HONE_PYTHON: PYTHON }) {
  const dataDir = tempDataDir();
  const c = createCore({ mode: 'headless', paths: { dataDir }, env });
  t.after(async () => {
    await c.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return { c, dataDir, log: new BusLog(c) };
}

const code = (expected: string) => (err: { code?: string }) => err.code === expected;

test('bad requests are refused before a run exists, naming the field', async (t) => {
  const { c } = core(t);
  const h = c.handlers;
  await assert.rejects(h['runs.start']({ config: { ...runConfig(), plan: undefined } as never }), /config\.plan is missing/);
  await assert.rejects(h['runs.start']({ config: runConfig({ objective: 'ppo' as never }) }), /config\.objective must be "sft" or "dpo"/);
  await assert.rejects(h['runs.start']({ config: runConfig({ maxSteps: 0 }) }), /config\.maxSteps/);
  await assert.rejects(h['runs.start']({ config: runConfig({ plan: { ...CPU_PLAN, fits: false, estimated_vram_gb: 30, vram_budget_gb: 8 } }) }), code('DOES_NOT_FIT'));
  await assert.rejects(h['runs.get']({ runId: 'nope' }), code('NOT_FOUND'));
  await assert.rejects(h['runs.events']({ runId: 'nope', afterSeq: 0 }), code('NOT_FOUND'));
  assert.deepEqual(await h['runs.list'](), []);
});

test('a missing model fails the run with MODEL_NOT_FOUND; it can be retried, then deleted with its folder', async (t) => {
  const { c, dataDir, log } = core(t);
  const h = c.handlers;
  const run = await h['runs.start']({ config: runConfig({ model: path.join(dataDir, 'gone') }) });
  await log.waitStatus(run.id, 'failed', 60_000);
  const failed = await h['runs.get']({ runId: run.id });
  assert.equal(failed.error?.code, 'MODEL_NOT_FOUND');
  assert.ok(failed.error?.hint);
  assert.equal(failed.resumable, true, 'nothing was trained: it can simply start again');
  assert.deepEqual((await h['runs.events']({ runId: run.id, afterSeq: 0 })).map((e) => e.status), ['queued', 'preparing', 'failed']);
  // Stopping a run that has ended changes nothing.
  assert.equal((await h['runs.stop']({ runId: run.id })).status, 'failed');

  await h['runs.resume']({ runId: run.id });
  await log.waitStatus(run.id, 'failed', 60_000, 3);
  assert.ok(fs.existsSync(failed.outputDir));
  await h['runs.delete']({ runId: run.id });
  assert.equal(fs.existsSync(failed.outputDir), false);
  await assert.rejects(h['runs.get']({ runId: run.id }), code('NOT_FOUND'));
});

test('a dataset that has gone, and a Python that is not there, each fail with their own message', async (t) => {
  const { c, log } = core(t);
  const run = await c.handlers['runs.start']({ config: runConfig({ dataset: '/nonexistent/data.jsonl' }) });
  await log.waitStatus(run.id, 'failed', 60_000);
  const r = await c.handlers['runs.get']({ runId: run.id });
  assert.equal(r.error?.code, 'BAD_DATA');
  assert.match(r.error!.message, /does not exist/);

  const noPython = core(t, { ...process.env, HONE_PYTHON: '/nonexistent/python3' });
  const run2 = await noPython.c.handlers['runs.start']({ config: runConfig() });
  await noPython.log.waitStatus(run2.id, 'failed', 60_000);
  const r2 = await noPython.c.handlers['runs.get']({ runId: run2.id });
  assert.equal(r2.error?.code, 'PYTHON_MISSING');
  assert.ok(r2.error?.hint);
});
