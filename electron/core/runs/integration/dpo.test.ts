// A DPO run of the tiny model: the preference rewards the dashboard charts are stored per step with the loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../paths';
import { BusLog } from './bus';
import { CPU_PLAN, inProcessCore, runConfig, tempDataDir } from './helpers';

test('DPO on the tiny model: rewards/chosen, rejected, margins and accuracies are stored for every step', { timeout: 240_000 }, async (t) => {
  const dataDir = tempDataDir();
  const core = inProcessCore(dataDir);
  t.after(async () => {
    await core.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const log = new BusLog(core);
  t.after(log.off);
  const dataset = path.join(REPO_ROOT, 'resources', 'samples', 'dpo-sample.jsonl');
  const run = await core.handlers['runs.start']({ config: runConfig({ dataset, objective: 'dpo', plan: { ...CPU_PLAN, objective: 'dpo' }, maxSteps: 4 }) });
  assert.equal(run.objective, 'dpo');
  await log.waitStatus(run.id, 'completed');
  const metrics = await core.handlers['runs.metrics']({ runId: run.id });
  for (const name of ['loss', 'rewards/chosen', 'rewards/rejected', 'rewards/margins', 'rewards/accuracies']) {
    assert.deepEqual(metrics.filter((m) => m.name === name).map((m) => m.step), [1, 2, 3, 4], name);
  }
});
