/** `hone runs` and `hone runs show` through the real bin script, on a data folder with a real run database. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT } from '../../core/paths';
import { openDatabase } from '../../core/store/db';
import { RunStore } from '../../core/store/run-store';
import type { Plan } from '../../shared/types/plan';
import type { RunDetail, RunSummary } from '../../shared/types/runs';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-cli-runs-'));
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function hone(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'electron', 'cli', 'bin.mjs'), ...args], { cwd: REPO_ROOT, env: { ...process.env, HONE_DATA_DIR: dataDir } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

const plan = { modelId: 'smollm2-135m-instruct', objective: 'sft', method: 'lora', max_seq_length: 128, batch_size: 2, grad_accum: 1, learning_rate: 0.002 } as Plan;

test('seeded runs: list (table and JSON), show, unknown id; a run whose process died reads as interrupted', async () => {
  // A process that has exited: its pid owned the "training" run below.
  const deadPid = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
  const store = new RunStore(openDatabase(dataDir));
  const config = { model: 'smollm2-135m-instruct', dataset: '/data/sft.jsonl', objective: 'sft' as const, plan, maxSteps: 10 };
  store.createRun({ id: '20250101-100000-aaaa', name: 'first', config, plan, outputDir: path.join(dataDir, 'runs', 'a'), status: 'queued', ownerPid: deadPid });
  store.updateRun('20250101-100000-aaaa', { status: 'completed', startedAt: '2025-01-01T10:00:00Z', endedAt: '2025-01-01T10:01:05Z', ownerPid: null });
  for (let s = 1; s <= 10; s++) store.series.metric('20250101-100000-aaaa', 'loss', s, 3 - s / 10);
  store.stepReached('20250101-100000-aaaa', 10, 10, 2);
  store.addArtifact('20250101-100000-aaaa', 'adapter', '/runs/a/adapter');
  store.addExport('20250101-100000-aaaa', { name: 'my-tiny', quantize: 'q8_0', digest: 'sha256:abc', createdAt: '2025-01-01T10:02:00Z' });
  store.series.log('20250101-100000-aaaa', 'info', 'finished at step 10');
  store.createRun({ id: '20250102-100000-bbbb', name: 'second', config, plan, outputDir: path.join(dataDir, 'runs', 'b'), status: 'training', ownerPid: deadPid });
  store.addCheckpoint('20250102-100000-bbbb', 4, path.join(dataDir, 'runs', 'b', 'checkpoints', 'checkpoint-4'));
  store.close();

  const list = await hone(['runs', '--json']);
  assert.equal(list.code, 0, list.err);
  const runs = JSON.parse(list.out) as RunSummary[];
  assert.deepEqual(runs.map((r) => [r.id, r.status]), [['20250102-100000-bbbb', 'interrupted'], ['20250101-100000-aaaa', 'completed']]);
  assert.equal(runs[1].finalLoss, 2);

  const table = await hone(['runs']);
  assert.equal(table.code, 0);
  assert.match(table.out, /^ID\s+STATUS\s+MODEL\s+METHOD\s+STEPS\s+TIME\s+LOSS/);
  assert.match(table.out, /20250101-100000-aaaa\s+completed\s+smollm2-135m-instruct\s+sft\/lora\s+10\/10\s+1m05s\s+2\.0000/);
  assert.match(table.out, /20250102-100000-bbbb\s+interrupted/);

  const show = await hone(['runs', 'show', '20250101-100000-aaaa']);
  assert.equal(show.code, 0, show.err);
  for (const s of ['first (20250101-100000-aaaa)', 'status      completed', 'loss        first 2.9000, final 2.0000', 'adapter', 'my-tiny (q8_0)', 'finished at step 10']) assert.ok(show.out.includes(s), s);
  const json = JSON.parse((await hone(['runs', 'show', '20250101-100000-aaaa', '--json'])).out) as RunDetail & { loss: [number, number][] };
  assert.equal(json.loss.length, 10);
  assert.equal(json.exports[0].digest, 'sha256:abc');

  const missing = await hone(['runs', 'show', 'nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /No run "nope"/);
  assert.equal((await hone(['runs', 'frobnicate'])).code, 2);
});
