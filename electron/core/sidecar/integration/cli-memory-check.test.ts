/**
 * The memory check end to end on the CPU (issue #16), as a user runs it: `hone train --budget-gb` measures the
 * sidecar's memory growth on the longest rows, the planner shrinks the batch (accumulation keeps the effective
 * batch) until it fits, and the run then trains to the same result as one planned that way from the start.
 * Real child processes, the real sidecar, the tiny random model (a folder; the demo is SmolLM2 now); the budget is set so that batch 16 (0.64-0.9 GB
 * measured here) and batch 8 (0.29-0.38 GB) do not fit the 0.285 GB a 0.3 GB budget allows, and batch 4
 * (0.17-0.22 GB) does. The check lands on 4 x 4, or on 2 x 8 when its one-point prediction from batch 16 is
 * pessimistic; the run planned that way is started with whichever it chose.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { RunMemory } from '../../../shared/types/memory';
import { REPO_ROOT } from '../../paths';
import { sharedTinyModel } from '../../ollama/integration/fixtures';
import { forEachLine } from '../../runtime/exec';
import { testPython, tmpDir } from '../../runtime/integration/fixtures';
import { writeLongRows } from './long-rows';

const dataDir = tmpDir('cli-memory');
let python = '';
let tiny = '';

before(async () => {
  python = await testPython();
  process.env.HONE_PYTHON ||= python;
  tiny = sharedTinyModel();
});
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

interface Line {
  type: string;
  [k: string]: unknown;
}

function hone(args: string[]): Promise<{ code: number; lines: Line[]; stderr: string[] }> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'electron', 'cli', 'bin.mjs'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, HONE_DATA_DIR: dataDir, HONE_PYTHON: python },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Line[] = [];
  const stderr: string[] = [];
  forEachLine(child.stdout!, (l) => lines.push(JSON.parse(l) as Line));
  forEachLine(child.stderr!, (l) => stderr.push(l));
  return new Promise((resolve) => child.on('close', (c) => resolve({ code: c ?? 1, lines, stderr })));
}

/** Float32 tensors of a safetensors file, by name. */
function tensors(file: string): Map<string, Float32Array> {
  const buf = fs.readFileSync(file);
  const headerLen = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + headerLen).toString('utf8')) as Record<string, { dtype: string; data_offsets: [number, number] }>;
  const out = new Map<string, Float32Array>();
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    assert.equal(t.dtype, 'F32', name);
    const bytes = buf.subarray(8 + headerLen + t.data_offsets[0], 8 + headerLen + t.data_offsets[1]);
    out.set(name, new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
  }
  return out;
}

test('hone train --budget-gb on the CPU: the check shrinks batch 16, then trains exactly like a run planned that way', { timeout: 10 * 60_000 }, async () => {
  const data = writeLongRows(path.join(dataDir, 'long.jsonl'));
  const common = ['train', '--model', tiny, '--data', data, '--max-steps', '3', '--json'];
  // A first short run warms the caches, before the two runs start together.
  const warm = await hone(['train', '--model', tiny, '--data', path.join(REPO_ROOT, 'resources', 'samples', 'sft-sample.jsonl'), '--max-steps', '1', '--json', '--out', path.join(dataDir, 'warm')]);
  assert.equal(warm.code, 0, warm.stderr.join('\n'));
  const checked = await hone([...common, '--batch', '16', '--budget-gb', '0.3', '--out', path.join(dataDir, 'checked')]);
  assert.equal(checked.code, 0, checked.stderr.join('\n'));
  const applied = (checked.lines.at(-1)!.memory as RunMemory).check!.applied!;
  const planned = await hone([...common, '--batch', String(applied.batchSize), '--grad-accum', String(applied.gradAccum), '--out', path.join(dataDir, 'planned')]);
  assert.equal(planned.code, 0, planned.stderr.join('\n'));

  const probes = checked.lines.filter((l) => l.type === 'memory_probe');
  const checks = checked.lines.filter((l) => l.type === 'memory_check');
  const figures = probes.map((p) => `${p.batch_size}x${p.grad_accum}: ${p.peak_gb} GB`).join(', ');
  assert.deepEqual([probes[0].batch_size, probes[0].grad_accum, probes[0].measure], [16, 1, 'rss'], figures);
  assert.ok([4, 2].includes(applied.batchSize) && applied.gradAccum === 16 / applied.batchSize, figures);
  assert.deepEqual([probes.at(-1)!.batch_size, probes.at(-1)!.grad_accum], [applied.batchSize, applied.gradAccum], figures);
  assert.ok((probes[0].peak_gb as number) > 0.3 && (probes.at(-1)!.peak_gb as number) < 0.285, figures);
  assert.deepEqual(checks.map((c) => c.action), [...probes.slice(1).map(() => 'retry'), 'accept'], figures);
  assert.match(checks[0].message as string, /^Checking memory: 0\.\d+ of 0\.3 GB at batch 16 x 1, more than the 0\.\d+ GB a run may use .*; trying batch \d+ x \d+ \(the same 16 rows per optimiser step\)\.$/);
  assert.match(checks.at(-1)!.message as string, new RegExp(`^Checking memory: 0\\.\\d+ of 0\\.3 GB at batch ${applied.batchSize} x ${applied.gradAccum}, fits \\(the plan's batch 16 x 1 did not\\)\\.$`));
  assert.equal(planned.lines.filter((l) => l.type === 'memory_probe').length, 0, 'a CPU run without a budget is not checked');

  // The result line carries the run's memory record.
  const result = checked.lines.at(-1)!;
  const memory = result.memory as RunMemory;
  assert.deepEqual(memory.check!.applied, { batchSize: applied.batchSize, gradAccum: applied.gradAccum, maxSeqLength: memory.planned.maxSeqLength });
  assert.equal(memory.check!.verdict, 'replanned');
  assert.deepEqual(memory.check!.readings.map((r) => r.batchSize), probes.map((p) => p.batch_size));

  // Same losses at every step and the same adapter as the run planned at 4 x 4 from the start.
  const losses = (r: typeof checked) => r.lines.filter((l) => l.type === 'metrics').map((l) => l.loss as number);
  assert.equal(losses(checked).length, 3);
  losses(checked).forEach((loss, i) => assert.ok(Math.abs(loss - losses(planned)[i]) < 1e-6, `step ${i + 1}: ${loss} vs ${losses(planned)[i]}`));
  const a = tensors(path.join(result.output_dir as string, 'adapter', 'adapter_model.safetensors'));
  const b = tensors(path.join(planned.lines.at(-1)!.output_dir as string, 'adapter', 'adapter_model.safetensors'));
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  let worst = 0;
  for (const [name, t] of a) t.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b.get(name)![i]))));
  assert.ok(worst < 1e-6, `adapters differ by ${worst}`);
});
