// A real run of the tiny model on the CPU, watched through the headless WebSocket transport: metrics land
// in SQLite, reach the subscribed client in order, a late client replays exactly what it missed, and a
// second run queues behind the first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { MetricPoint, RunDetail, RunEvent, RunSummary } from '../../../shared/types/runs';
import { startHeadless } from '../../../headless/server';
import { REPO_ROOT } from '../../paths';
import { WsClient, inProcessCore, isMetrics, lossSteps, runConfig, tempDataDir } from './helpers';

test('train the tiny model: metrics reach SQLite and a subscribed client; replay fills a late client exactly', { timeout: 240_000 }, async (t) => {
  const dataDir = tempDataDir();
  const core = inProcessCore(dataDir);
  const server = await startHeadless({ core, staticDir: path.join(REPO_ROOT, 'dist', 'renderer') });
  const clients: WsClient[] = [];
  t.after(async () => {
    for (const c of clients) c.close();
    await server.close();
    await core.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const a = await WsClient.connect(server.port, server.token);
  clients.push(a);

  const run = await a.invoke<RunSummary>('runs.start', { config: runConfig({ maxSteps: 6, name: 'stream test' }) });
  assert.equal(run.status, 'preparing');
  assert.equal(run.name, 'stream test');

  // A second run waits for the one "GPU"; its model does not exist, so once it gets its turn it fails
  // with a clear message before any sidecar starts.
  const second = await a.invoke<RunSummary>('runs.start', { config: runConfig({ model: path.join(dataDir, 'no-such-model') }) });
  assert.equal(second.status, 'queued');
  assert.equal(second.queuePosition, 1);

  // Another client joins after training has begun.
  await a.waitFor((e) => isMetrics(run.id)(e) && (e.event as { step: number }).step >= 2, 180_000, 'step 2');
  const b = await WsClient.connect(server.port, server.token);
  clients.push(b);

  await a.waitStatus(run.id, 'completed', 180_000);
  const failed = await a.waitStatus(second.id, 'failed', 30_000);
  assert.ok(failed.seq > 0);

  // Client A saw every event of the run, numbered 1..N without a gap, in order.
  const seen = a.events.filter((e) => e.runId === run.id);
  assert.deepEqual(seen.map((e) => e.seq), seen.map((_, i) => i + 1));
  assert.deepEqual(seen.filter((e) => e.kind === 'status').map((e) => e.status), ['queued', 'preparing', 'training', 'completed']);
  assert.deepEqual(lossSteps(seen, run.id), [1, 2, 3, 4, 5, 6]);

  // The store's replay log is exactly what was pushed live.
  const stored = await a.invoke<RunEvent[]>('runs.events', { runId: run.id, afterSeq: 0 });
  assert.deepEqual(stored, seen);

  // Client B missed the start: the replay of what came before its first live event, followed by what
  // it saw live, is the whole run with nothing missing and nothing twice.
  const bLive = b.events.filter((e) => e.runId === run.id);
  assert.ok(bLive.length > 0 && bLive[0].seq > 1, 'B joined mid-run');
  const missed = await b.invoke<RunEvent[]>('runs.events', { runId: run.id, afterSeq: 0, limit: bLive[0].seq - 1 });
  assert.deepEqual([...missed, ...bLive], seen);
  const tail = await b.invoke<RunEvent[]>('runs.events', { runId: run.id, afterSeq: seen.at(-3)!.seq });
  assert.deepEqual(tail, seen.slice(-2));

  // SQLite holds every logged value per step, not only the loss.
  const db = new Database(path.join(dataDir, 'hone.db'), { readonly: true });
  t.after(() => db.close());
  const rows = db.prepare("SELECT step, value FROM metrics WHERE run_id = ? AND name = 'loss' ORDER BY step").all(run.id) as MetricPoint[];
  const live = seen.filter(isMetrics(run.id)).map((e) => e.event as unknown as { step: number; loss: number });
  assert.deepEqual(rows.map((r) => [r.step, r.value]), live.map((m) => [m.step, m.loss]));
  const names = (db.prepare('SELECT DISTINCT name FROM metrics WHERE run_id = ?').all(run.id) as { name: string }[]).map((r) => r.name);
  for (const n of ['loss', 'learning_rate', 'grad_norm', 'tokens_per_second', 'epoch']) assert.ok(names.includes(n), `metric ${n} stored`);
  const metrics = await a.invoke<MetricPoint[]>('runs.metrics', { runId: run.id, names: ['loss'] });
  assert.equal(metrics.length, 6);

  const detail = await a.invoke<RunDetail>('runs.get', { runId: run.id });
  assert.equal(detail.status, 'completed');
  assert.equal(detail.step, 6);
  assert.equal(detail.finalLoss, live.at(-1)!.loss);
  assert.ok(detail.artifacts.some((x) => x.kind === 'adapter' && fs.existsSync(x.path)));
  assert.ok(detail.startedAt && detail.endedAt);
  assert.ok((await a.invoke<string[]>('runs.logs', { runId: run.id })).length > 0);

  const bad = await a.invoke<RunSummary>('runs.get', { runId: second.id });
  assert.equal(bad.error?.code, 'MODEL_NOT_FOUND');
  assert.match(bad.error!.message, /no-such-model/);
  assert.equal(bad.startedAt !== null, true);
  const list = await a.invoke<RunSummary[]>('runs.list');
  assert.deepEqual(new Set(list.map((r) => r.id)), new Set([run.id, second.id]));
});
