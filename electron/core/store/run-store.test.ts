import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from './db';
import { RunStore } from './run-store';
import { SEQ_GAP_AFTER_CRASH } from './series';
import { MIGRATIONS } from './migrations';
import type { Plan } from '../../shared/types/plan';
import type { RunConfig } from '../../shared/types/runs';

const plan = { modelId: 'tiny', objective: 'sft', method: 'lora' } as Plan;
const config: RunConfig = { model: 'tiny', dataset: '/tmp/d.jsonl', objective: 'sft', plan, maxSteps: 10 };

function tmpStore(t: { after(fn: () => void): void }, opts = {}): { store: RunStore; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-store-'));
  const store = new RunStore(openDatabase(dir), opts);
  t.after(() => {
    try {
      store.close();
    } catch {
      // already closed by the test
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { store, dir };
}

function newRun(store: RunStore, id = 'r1', status: 'queued' | 'training' = 'queued', ownerPid = 1) {
  return store.createRun({ id, name: id, config, plan, outputDir: `/tmp/${id}`, status, ownerPid });
}

test('schema is versioned and the database is in WAL mode', (t) => {
  const { store } = tmpStore(t);
  assert.equal(store.db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(store.integrityCheck(), 'ok');
});

test('events get per-run increasing seq and replay returns exactly those after afterSeq', (t) => {
  const { store } = tmpStore(t, { intervalMs: 10_000, maxRows: 1_000_000 });
  newRun(store, 'a');
  newRun(store, 'b');
  for (let i = 0; i < 50; i++) {
    store.series.append('a', { kind: 'status', status: 'training' });
    if (i % 2) store.series.append('b', { kind: 'status', status: 'training' });
  }
  // Nothing was flushed by the timer: the read must flush first.
  const replay = store.series.events('a', 20);
  assert.deepEqual(replay.map((e) => e.seq), Array.from({ length: 30 }, (_, i) => 21 + i));
  assert.equal(store.series.events('b', 0).length, 25);
  assert.equal(store.series.events('a', 45, 3).length, 3);
  assert.equal(store.series.lastSeq('a'), 50);
});

test('metrics are batched, overwritten per step, and dropped after a checkpoint step', (t) => {
  const { store } = tmpStore(t, { intervalMs: 10_000, maxRows: 7 });
  newRun(store);
  for (let step = 1; step <= 10; step++) {
    store.series.metric('r1', 'loss', step, 10 - step);
    store.series.metric('r1', 'learning_rate', step, 0.001);
  }
  // maxRows 7: at least two batches were written without any explicit flush.
  const written = store.db.prepare('SELECT COUNT(*) AS n FROM metrics').get() as { n: number };
  assert.ok(written.n >= 14, `expected batches to be written, got ${written.n}`);
  store.series.metric('r1', 'loss', 10, 42);
  store.series.metric('r1', 'loss', 11, Number.NaN);
  const loss = store.series.metrics('r1', ['loss']);
  assert.equal(loss.length, 10);
  assert.equal(loss.at(-1)!.value, 42);
  store.series.dropMetricsAfter('r1', 6);
  assert.deepEqual(store.series.metrics('r1', ['loss']).map((p) => p.step), [1, 2, 3, 4, 5, 6]);
  assert.equal(store.series.metrics('r1').length, 12);
});

test('runs: summary, detail, step progress, exports, resumability and delete', (t) => {
  const { store } = tmpStore(t);
  newRun(store);
  store.updateRun('r1', { status: 'training', startedAt: new Date().toISOString() });
  store.stepReached('r1', 4, 10, 1.5);
  assert.equal(store.getRun('r1')!.step, 4);
  assert.equal(store.getRun('r1')!.finalLoss, 1.5);
  store.updateRun('r1', { status: 'failed', error: { code: 'SIDECAR_CRASHED', message: 'x', exitCode: 137, logTail: ['a', 'b'] } });
  assert.equal(store.getRun('r1')!.resumable, false, 'failed after step 4 without a checkpoint');
  store.addCheckpoint('r1', 3, '/tmp/r1/checkpoint-3');
  assert.equal(store.getRun('r1')!.resumable, true);
  assert.deepEqual(store.latestCheckpoint('r1'), { step: 3, path: '/tmp/r1/checkpoint-3' });
  store.addArtifact('r1', 'adapter', '/tmp/r1/adapter');
  store.addExport('r1', { name: 'tiny:latest', quantize: 'q8_0', digest: 'sha256:1', createdAt: '2025-01-01T00:00:00Z' });
  const detail = store.getRunDetail('r1')!;
  assert.equal(detail.error!.exitCode, 137);
  assert.deepEqual(detail.error!.logTail, ['a', 'b']);
  assert.equal(detail.config.maxSteps, 10);
  assert.equal(detail.artifacts[0].kind, 'adapter');
  assert.equal(detail.exports[0].name, 'tiny:latest');
  store.series.log('r1', 'info', 'hello');
  store.series.metric('r1', 'loss', 1, 1);
  store.deleteRun('r1');
  assert.equal(store.getRun('r1'), null);
  for (const table of ['metrics', 'events', 'logs', 'checkpoints', 'artifacts', 'exports']) {
    assert.equal((store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n, 0, table);
  }
});

test('start-up recovery: runs of a dead owner become interrupted, a live owner keeps its run', (t) => {
  const { store, dir } = tmpStore(t, { intervalMs: 10_000, maxRows: 1_000_000 });
  newRun(store, 'dead', 'training', 111);
  newRun(store, 'alive', 'training', 222);
  store.addCheckpoint('dead', 2, '/tmp/dead/checkpoint-2');
  store.series.append('dead', { kind: 'status', status: 'training' });
  store.flush();
  // A crash loses the unwritten batch: this event reached clients but never the database.
  store.series.append('dead', { kind: 'status', status: 'training' });
  store.db.close();

  const reopened = new RunStore(openDatabase(dir));
  t.after(() => reopened.close());
  const recovered = reopened.recoverAbandoned((pid) => pid === 222);
  assert.deepEqual(recovered.map((r) => r.id), ['dead']);
  assert.equal(reopened.getRun('dead')!.status, 'interrupted');
  assert.equal(reopened.getRun('dead')!.resumable, true);
  assert.equal(reopened.getRun('alive')!.status, 'training');
  const events = reopened.series.events('dead', 0);
  assert.equal(events.length, 2);
  // The new numbering clears anything a client may have seen from the lost batch.
  assert.ok(events[1].seq > 2 + SEQ_GAP_AFTER_CRASH - 1);
  assert.equal(events[1].status, 'interrupted');
  assert.equal(reopened.integrityCheck(), 'ok');
});
