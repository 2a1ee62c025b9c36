// Stop a real run mid-training, then resume it: the sidecar saves a checkpoint on stop, the resumed run
// continues from it, and the stored step series is continuous with no step twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { RunSummary } from '../../../shared/types/runs';
import { BusLog } from './bus';
import { inProcessCore, isMetrics, lossSteps, runConfig, tempDataDir } from './helpers';

test('stop mid-run, resume: the step series continues from the checkpoint without duplicates', { timeout: 300_000 }, async (t) => {
  const dataDir = tempDataDir();
  const core = inProcessCore(dataDir);
  t.after(async () => {
    await core.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const h = core.handlers;
  let runId = '';
  let stopAsked = false;
  // Steps of the tiny model take ~0.1 s: ask for the stop the moment step 2 is reported.
  const log = new BusLog(core, (e) => {
    if (!stopAsked && isMetrics(runId)(e) && (e.event as { step: number }).step >= 2) {
      stopAsked = true;
      void h['runs.stop']({ runId });
    }
  });
  t.after(log.off);

  const MAX = 30;
  const run = await h['runs.start']({ config: runConfig({ maxSteps: MAX }) });
  runId = run.id;
  await log.waitStatus(runId, 'stopping');
  const stoppedEvent = await log.waitStatus(runId, 'stopped');

  const stopped: RunSummary = await h['runs.get']({ runId });
  assert.equal(stopped.status, 'stopped');
  assert.equal(stopped.resumable, true);
  const stopStep = stopped.step;
  assert.ok(stopStep >= 2 && stopStep < MAX, `stopped at step ${stopStep}`);
  const detail = await h['runs.get']({ runId });
  assert.ok(detail.checkpoints.some((c) => c.step === stopStep && fs.existsSync(c.path)), 'stop saved a checkpoint at the stop step');
  const before = (await h['runs.metrics']({ runId, names: ['loss'] })).map((p) => p.step);
  assert.deepEqual(before, Array.from({ length: stopStep }, (_, i) => i + 1));

  const resumed = await h['runs.resume']({ runId });
  assert.equal(resumed.status, 'preparing');
  await log.waitStatus(runId, 'completed', 240_000, stoppedEvent.seq);

  // Stored metrics: every step once, 1..MAX.
  const loss = await h['runs.metrics']({ runId, names: ['loss'] });
  assert.deepEqual(loss.map((p) => p.step), Array.from({ length: MAX }, (_, i) => i + 1));
  // Live events: the resumed session starts right after the checkpoint.
  const liveSteps = lossSteps(log.events, runId);
  assert.deepEqual(liveSteps, Array.from({ length: MAX }, (_, i) => i + 1));
  // Seq kept increasing across both sessions, and the replay log equals what was pushed.
  const seqs = log.events.filter((e) => e.runId === runId).map((e) => e.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
  assert.deepEqual(await h['runs.events']({ runId, afterSeq: 0 }), log.events.filter((e) => e.runId === runId));
  const statuses = log.events.filter((e) => e.runId === runId && e.kind === 'status').map((e) => e.status);
  assert.deepEqual(statuses, ['queued', 'preparing', 'training', 'stopping', 'stopped', 'queued', 'preparing', 'training', 'completed']);
  const final = await h['runs.get']({ runId });
  assert.equal(final.step, MAX);
  assert.equal(final.resumable, false);
  await assert.rejects(h['runs.resume']({ runId }), (err: { code?: string }) => err.code === 'NOT_RESUMABLE');
});
