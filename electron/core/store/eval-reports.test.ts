// Evaluation reports in SQLite: linked to their run, newest first, recovered after a crash, deleted with the run.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { Plan } from '../../shared/types/plan';
import { makeReport, scores } from '../eval/fixtures/report';
import { openDatabase } from './db';
import { MIGRATIONS, migrate } from './migrations';
import { RunStore } from './run-store';

const plan = { modelId: 'tiny', objective: 'sft', method: 'lora' } as Plan;

function tmpStore(t: { after(fn: () => void): void }): RunStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-evals-'));
  const store = new RunStore(openDatabase(dir));
  store.createRun({ id: 'r1', name: 'r1', config: { model: 'tiny', dataset: '/d.jsonl', objective: 'sft', plan }, plan, outputDir: '/tmp/r1', status: 'completed', ownerPid: 1 });
  t.after(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

const report = makeReport([{ base: scores(0.1, 0.2), tuned: scores(0.7, 0.8) }]);

test('a report is stored on its run, ended with its status, and the newest one is found', (t) => {
  const store = tmpStore(t);
  const first = store.evals.create({ id: 'e1', runId: 'r1', trigger: 'auto', dataPath: '/h.jsonl', dataSource: 'held-out split', ownerPid: process.pid });
  assert.deepEqual([first.status, first.report, first.trigger], ['running', null, 'auto']);
  store.evals.finish('e1', 'completed', report, null);
  store.evals.create({ id: 'e2', runId: 'r1', trigger: 'manual', dataPath: '/h.jsonl', dataSource: 'held-out split', ownerPid: process.pid });
  store.evals.finish('e2', 'failed', null, { code: 'OOM', message: 'out of memory' });
  assert.equal(store.evals.latest('r1')!.id, 'e2');
  assert.equal(store.evals.latestWithReport('r1')!.id, 'e1');
  assert.deepEqual(store.evals.latestWithReport('r1')!.report, report);
  assert.equal(store.evals.latest('r1')!.error!.code, 'OOM');
  const withOllama = { ...report, device: 'cuda:0' };
  assert.equal(store.evals.updateReport('e1', withOllama).report!.device, 'cuda:0');
  assert.deepEqual(store.evals.list('r1').map((e) => e.id), ['e1', 'e2']);
});

test('an evaluation left running by a dead process ends failed, saying so; a live one is left alone', (t) => {
  const store = tmpStore(t);
  store.evals.create({ id: 'dead', runId: 'r1', trigger: 'auto', dataPath: null, dataSource: null, ownerPid: 999_999 });
  store.evals.create({ id: 'live', runId: 'r1', trigger: 'auto', dataPath: null, dataSource: null, ownerPid: process.pid });
  assert.equal(store.evals.recoverAbandoned((pid) => pid === process.pid), 1);
  assert.equal(store.evals.get('dead')!.status, 'failed');
  assert.match(store.evals.get('dead')!.error!.message, /closed while this evaluation was running/);
  assert.equal(store.evals.get('live')!.status, 'running');
});

test('deleting a run deletes its reports', (t) => {
  const store = tmpStore(t);
  store.evals.create({ id: 'e1', runId: 'r1', trigger: 'manual', dataPath: null, dataSource: null, ownerPid: process.pid });
  store.deleteRun('r1');
  assert.equal(store.evals.get('e1'), null);
});

test('a version-1 database (before evaluations) migrates and keeps its runs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-migrate-'));
  try {
    const db = new Database(path.join(dir, 'hone.db'));
    MIGRATIONS[0](db);
    db.pragma('user_version = 1');
    db.prepare("INSERT INTO runs (id, name, status, model, dataset, objective, method, config, plan, output_dir, created_at) VALUES ('old', 'old', 'completed', 'm', 'd', 'sft', 'lora', '{}', '{}', '/o', 'now')").run();
    assert.equal(migrate(db), MIGRATIONS.length);
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n, 1);
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM eval_reports').get() as { n: number }).n, 0);
    db.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
