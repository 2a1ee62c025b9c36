/**
 * `hone runs --memory` through the real bin script: estimate against measurement per run, and the planner's
 * accuracy over the last runs. The GPU records are seeded as a GPU run's session would store them (no GPU here).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT } from '../../core/paths';
import { openDatabase } from '../../core/store/db';
import { RunStore } from '../../core/store/run-store';
import type { RunMemory } from '../../shared/types/memory';
import type { Plan } from '../../shared/types/plan';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-cli-runs-memory-'));
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

const planned = { batchSize: 2, gradAccum: 4, maxSeqLength: 2048 };
function gpuMemory(plannedGb: number, usedGb: number, extra: Partial<NonNullable<RunMemory['check']>> = {}): RunMemory {
  return {
    device: 'cuda', plannedGb, planned, contextGb: 0.6, measure: 'cuda', trainingPeakGb: usedGb - 0.9,
    check: { budgetGb: 24, marginGb: 1.2, verdict: 'fits', message: `Checking memory: ${usedGb} of 24 GB, fits.`, readings: [{ ...planned, attempt: 1, measuredGb: usedGb - 0.6, usedGb, tokens: 2000, seconds: 9 }], applied: planned, offer: null, ...extra },
  };
}

test('hone runs --memory: per run the estimate, what the check measured, its verdict and settings; then the accuracy', async () => {
  const store = new RunStore(openDatabase(dataDir));
  const plan = { modelId: 'llama-3.1-8b-instruct', objective: 'sft', method: 'qlora', max_seq_length: 2048, batch_size: 2, grad_accum: 4, learning_rate: 2e-4 } as Plan;
  const config = { model: 'llama-3.1-8b-instruct', dataset: '/d.jsonl', objective: 'sft' as const, plan };
  const seed = (id: string, memory: RunMemory | null) => {
    store.createRun({ id, name: id, config, plan, outputDir: `/tmp/${id}`, status: 'queued', ownerPid: process.pid });
    store.updateRun(id, { status: 'completed', ownerPid: null, ...(memory ? { memory } : {}) });
  };
  seed('20250101-000000-old0', null);
  seed('20250102-000000-aaaa', gpuMemory(20, 21.4));
  seed('20250103-000000-bbbb', gpuMemory(10, 9.5));
  seed('20250104-000000-cccc', gpuMemory(22, 23.5, { verdict: 'replanned', applied: { batchSize: 1, gradAccum: 8, maxSeqLength: 2048 } }));
  store.close();

  const table = await hone(['runs', '--memory']);
  assert.equal(table.code, 0, table.err);
  const lines = table.out.split('\n');
  assert.match(lines[0], /^ID\s+MODEL\s+DEVICE\s+PLANNED AT\s+ESTIMATE\s+MEASURED\s+ERROR\s+BUDGET\s+CHECK\s+TRAINED AT\s+TRAIN PEAK$/);
  assert.match(table.out, /20250104-000000-cccc\s+llama-3\.1-8b-instruct\s+cuda\s+2x4 @2048\s+22\.0\s+23\.5\s+\+7%\s+24\.0 GB\s+replanned\s+1x8 @2048\s+22\.6/);
  assert.match(table.out, /20250102-000000-aaaa\s+.*\s+20\.0\s+21\.4\s+\+7%\s+24\.0 GB\s+fits\s+2x4 @2048/);
  assert.match(table.out, /20250103-000000-bbbb\s+.*\s+10\.0\s+9\.5\s+-5%/);
  assert.doesNotMatch(table.out, /old0/, 'a run from before memory records is left out');
  assert.match(table.out, /Our memory estimates were within 7% on your last 3 GPU runs \(3% low on average/);

  const json = await hone(['runs', '--memory', '--json']);
  assert.equal(json.code, 0, json.err);
  const parsed = JSON.parse(json.out) as { runs: { id: string; measuredAtPlanGb: number }[]; accuracy: { runs: number; worstPct: number }[] };
  assert.deepEqual(parsed.runs.map((r) => [r.id, r.measuredAtPlanGb]), [['20250104-000000-cccc', 23.5], ['20250103-000000-bbbb', 9.5], ['20250102-000000-aaaa', 21.4]]);
  assert.equal(parsed.accuracy[0].runs, 3);

  const show = await hone(['runs', 'show', '20250104-000000-cccc']);
  assert.match(show.out, /memory {6}planned 22\.0 GB at 2x4 @2048; training peak 22\.6 GB reserved\n {14}Checking memory: 23\.5 of 24 GB, fits\./);
});
