/** Planned and measured memory per run (issue #16): migration 2 keeps older runs, the record round-trips. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from './db';
import { MIGRATIONS } from './migrations';
import { RunStore } from './run-store';
import type { RunMemory } from '../../shared/types/memory';
import type { Plan } from '../../shared/types/plan';
import type { RunConfig } from '../../shared/types/runs';

const plan = { modelId: 'tiny', objective: 'sft', method: 'lora', batch_size: 8, grad_accum: 1, max_seq_length: 1024 } as Plan;
const config: RunConfig = { model: 'tiny', dataset: '/tmp/d.jsonl', objective: 'sft', plan, maxSteps: 10 };

test('a database from before the memory column keeps its runs, which read as having no memory record', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-store-mem-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const old = new Database(path.join(dir, 'hone.db'));
  MIGRATIONS[0](old);
  old.pragma('user_version = 1');
  old.prepare(`INSERT INTO runs (id, name, status, model, dataset, objective, method, config, plan, output_dir, created_at) VALUES ('old', 'old', 'completed', 'tiny', '/d', 'sft', 'lora', ?, ?, '/o', '2025-01-01T00:00:00Z')`).run(JSON.stringify(config), JSON.stringify(plan));
  old.close();
  const store = new RunStore(openDatabase(dir));
  t.after(() => store.close());
  assert.equal(store.db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  const run = store.getRun('old')!;
  assert.equal(run.status, 'completed');
  assert.equal(run.memory, null);
});

test('the memory record and the checked config are stored and read back', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-store-mem-'));
  const store = new RunStore(openDatabase(dir));
  t.after(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  store.createRun({ id: 'r', name: 'r', config, plan, outputDir: '/tmp/r', status: 'queued', ownerPid: 1 });
  const memory: RunMemory = {
    device: 'cuda', plannedGb: 21.3, planned: { batchSize: 8, gradAccum: 1, maxSeqLength: 1024 }, contextGb: 0.6, measure: 'cuda', trainingPeakGb: 17.2,
    check: { budgetGb: 24, marginGb: 1.2, verdict: 'replanned', message: 'Checking memory: 18.1 of 24 GB at batch 4 x 2, fits.', readings: [], applied: { batchSize: 4, gradAccum: 2, maxSeqLength: 1024 }, offer: null },
  };
  store.updateRun('r', { memory, config: { ...config, plan: { ...plan, batch_size: 4, grad_accum: 2 } } });
  assert.deepEqual(store.getRun('r')!.memory, memory);
  assert.equal(store.config('r')!.plan.batch_size, 4);
  assert.deepEqual(store.listRuns()[0].memory, memory);
  store.updateRun('r', { memory: null });
  assert.equal(store.getRun('r')!.memory, null);
});
