// `kill -9` of the training process mid-run: the run becomes `failed` with the exit code and the last
// log lines, everything stored so far stays, and it can resume from its last checkpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { BusLog } from './bus';
import { inProcessCore, isMetrics, lossSteps, pidAlive, runConfig, tempDataDir } from './helpers';

test('kill -9 the sidecar mid-run: failed with exit code and log tail, stored metrics intact', { timeout: 240_000 }, async (t) => {
  const dataDir = tempDataDir();
  const core = inProcessCore(dataDir);
  t.after(async () => {
    await core.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const h = core.handlers;
  let runId = '';
  let sidecarPid = 0;
  let killed = false;
  const log = new BusLog(core, (e) => {
    if (e.runId !== runId || e.kind !== 'sidecar') return;
    if (e.event?.type === 'ready') sidecarPid = (e.event as { pid?: number }).pid ?? 0;
    // Kill right after a checkpoint and two more steps, synchronously with the event.
    if (!killed && isMetrics(runId)(e) && (e.event as { step: number }).step >= 5) {
      killed = true;
      process.kill(sidecarPid, 'SIGKILL');
    }
  });
  t.after(log.off);

  const run = await h['runs.start']({ config: runConfig({ maxSteps: 60, saveSteps: 3 }) });
  runId = run.id;
  await log.waitStatus(runId, 'failed');
  assert.ok(sidecarPid > 0 && !pidAlive(sidecarPid));

  const failed = await h['runs.get']({ runId });
  assert.equal(failed.status, 'failed');
  assert.equal(failed.error?.code, 'SIDECAR_CRASHED');
  assert.equal(failed.error?.exitCode, 137);
  assert.match(failed.error!.message, /SIGKILL/);
  assert.ok(Array.isArray(failed.error?.logTail) && failed.error!.logTail!.length > 0 && failed.error!.logTail!.length <= 50);

  // Every metric the client saw before the kill is in the database.
  const seen = lossSteps(log.events, runId);
  const stored = (await h['runs.metrics']({ runId, names: ['loss'] })).map((p) => p.step);
  assert.deepEqual(stored, seen);
  assert.ok(stored.length >= 5 && stored.length < 60);
  assert.ok(failed.checkpoints.some((c) => c.step === 3));
  assert.equal(failed.resumable, true);
  assert.ok(failed.endedAt);
  assert.deepEqual(await h['runs.events']({ runId, afterSeq: 0 }), log.events.filter((e) => e.runId === runId));
});
