/** How many training processes a run had (issue #15): migration 4 keeps older runs at 1, a run records its own. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from './db';
import { MIGRATIONS } from './migrations';
import { RunStore } from './run-store';
import type { Plan } from '../../shared/types/plan';
import type { RunConfig } from '../../shared/types/runs';

const plan = { modelId: 'tiny', objective: 'sft', method: 'lora', batch_size: 2, grad_accum: 1, max_seq_length: 128 } as Plan;
const config: RunConfig = { model: 'tiny', dataset: '/tmp/d.jsonl', objective: 'sft', plan, maxSteps: 10 };

test('a database from before migration 4 keeps its runs, which read as single-process', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-store-proc-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const old = new Database(path.join(dir, 'hone.db'));
  for (const m of MIGRATIONS.slice(0, 3)) m(old);
  old.pragma('user_version = 3');
  old.prepare(`INSERT INTO runs (id, name, status, model, dataset, objective, method, config, plan, output_dir, created_at) VALUES ('old', 'old', 'completed', 'tiny', '/d', 'sft', 'lora', ?, ?, '/o', '2025-01-01T00:00:00Z')`).run(JSON.stringify(config), JSON.stringify(plan));
  old.close();
  const store = new RunStore(openDatabase(dir));
  t.after(() => store.close());
  assert.equal(store.db.pragma('user_version', { simple: true }), 4);
  assert.equal(store.getRun('old')!.processes, 1);
});

test('a run records its planned processes, then the ones the launcher started', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-store-proc-'));
  const store = new RunStore(openDatabase(dir));
  t.after(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const two: Plan = { ...plan, distributed: { strategy: 'ddp', processes: 2, nodes: 1, gpu_indices: [], backend: 'plain', mixed_precision: 'no', fsdp: null, budget_per_process_gb: 1, reason: 'test' } };
  store.createRun({ id: 'multi', name: 'multi', config: { ...config, plan: two }, plan: two, outputDir: '/tmp/m', status: 'queued', ownerPid: 1 });
  store.createRun({ id: 'one', name: 'one', config, plan, outputDir: '/tmp/o', status: 'queued', ownerPid: 1 });
  assert.equal(store.getRun('multi')!.processes, 2);
  assert.equal(store.getRun('one')!.processes, 1);
  store.updateRun('multi', { processes: 3 });
  assert.deepEqual(store.listRuns().map((r) => [r.id, r.processes]).sort(), [['multi', 3], ['one', 1]]);
});
