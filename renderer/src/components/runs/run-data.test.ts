import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryComparison, RunData } from './run-data';
import type { RunEvent } from '../../../../electron/shared/types/runs';
import type { SidecarEvent } from '../../../../electron/shared/types/sidecar';

let seq = 0;
const ts = (s: number) => new Date(1_700_000_000_000 + s * 1000).toISOString();
const metrics = (step: number, loss: number, extra: Record<string, number> = {}): RunEvent => ({
  runId: 'r', seq: ++seq, ts: ts(step), kind: 'sidecar',
  event: { type: 'metrics', seq: 0, ts: ts(step), step, max_steps: 10, epoch: step / 10, loss, learning_rate: 0.001, ...extra } as SidecarEvent,
});

test('duplicate or old events are ignored; series, epoch and pace follow metrics', () => {
  seq = 0;
  const d = new RunData('r');
  const events = [metrics(1, 3), metrics(2, 2.5), metrics(3, 2)];
  for (const e of events) assert.equal(d.apply(e), true);
  for (const e of events) assert.equal(d.apply(e), false, 'replayed twice: no effect');
  assert.deepEqual(d.get('loss').steps, [1, 2, 3]);
  assert.equal(d.series.has('epoch'), false, 'positions are not charted');
  assert.equal(d.step, 3);
  assert.equal(d.maxSteps, 10);
  assert.equal(d.secondsPerStep(), 1);
  assert.equal(d.apply({ runId: 'other', seq: 99, ts: ts(0), kind: 'status', status: 'failed' }), false);
});

test('a resumed run re-training steps after its checkpoint replaces them instead of looping back', () => {
  seq = 0;
  const d = new RunData('r');
  for (let s = 1; s <= 6; s++) d.apply(metrics(s, 10 - s));
  d.apply({ runId: 'r', seq: ++seq, ts: ts(7), kind: 'status', status: 'preparing' });
  // checkpoint was at step 4: steps 5 and 6 are trained again
  for (let s = 5; s <= 8; s++) d.apply(metrics(s, 1 / s));
  assert.deepEqual(d.get('loss').steps, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(d.get('loss').values[4], 1 / 5);
});

test('eval, DPO rewards, logs and errors land where the dashboard reads them', () => {
  seq = 0;
  const d = new RunData('r');
  d.apply(metrics(1, 1, { 'rewards/margins': 0.5 }));
  d.apply({ runId: 'r', seq: ++seq, ts: ts(1), kind: 'sidecar', event: { type: 'eval', seq: 1, ts: ts(1), step: 1, eval_loss: 1.2 } });
  d.apply({ runId: 'r', seq: ++seq, ts: ts(1), kind: 'sidecar', event: { type: 'log', seq: 2, ts: ts(1), level: 'warning', message: 'careful' } });
  d.apply({ runId: 'r', seq: ++seq, ts: ts(1), kind: 'sidecar', event: { type: 'error', seq: 3, ts: ts(1), code: 'OOM', message: 'out of memory', hint: 'smaller batch' } });
  assert.deepEqual(d.get('eval_loss').values, [1.2]);
  assert.deepEqual(d.get('rewards/margins').values, [0.5]);
  assert.deepEqual(d.logs, ['[warning] careful', '[error] OOM: out of memory — smaller batch']);
});

test('#7 the run page compares the plan\'s estimate with the highest measured peak', () => {
  seq = 0;
  const d = new RunData('r');
  const plan = { device: 'cuda' as const, estimated_vram_gb: 7.42 };
  assert.equal(memoryComparison(plan, d)?.text, 'planned 7.4 GB, measured peak: after the first step');
  d.apply(metrics(1, 2, { peak_reserved_gb: 6.1, peak_allocated_gb: 5.2 }));
  d.apply(metrics(2, 2, { peak_reserved_gb: 6.9, peak_allocated_gb: 5.0 }));
  d.apply(metrics(3, 2, { peak_reserved_gb: 6.4, peak_allocated_gb: 4.8 }));
  const m = memoryComparison(plan, d)!;
  assert.equal(m.text, 'planned 7.4 GB, measured peak 6.9 GB');
  assert.equal(m.peakAllocatedGb, 5.2);
  assert.equal(memoryComparison({ device: 'cpu', estimated_vram_gb: 0.01 }, d), null, 'no GPU figures for a CPU run');
});

test('the memory check: its probes and verdicts become the stage line, and a checked CPU run gets planned vs measured', () => {
  seq = 0;
  const d = new RunData('r');
  const ev = (event: Record<string, unknown>): RunEvent => ({ runId: 'r', seq: ++seq, ts: ts(seq), kind: 'sidecar', event: { seq: 0, ts: ts(seq), ...event } as unknown as SidecarEvent });
  const cpuPlan = { device: 'cpu' as const, estimated_vram_gb: 0.31 };
  d.apply(ev({ type: 'progress', stage: 'checking_memory', done: 0, total: 2, unit: 'step' }));
  assert.equal(d.memoryCheck?.probing, true);
  assert.equal(d.memoryCheck?.message, null);
  d.apply(ev({ type: 'memory_probe', attempt: 1, batch_size: 16, grad_accum: 1, max_seq_length: 1024, steps: 2, measure: 'rss', peak_gb: 0.727, tokens: 973, rows: 40, row_tokens: [973], seconds: 6 }));
  d.apply(ev({ type: 'memory_check', attempt: 1, action: 'retry', verdict: 'smaller', batch_size: 4, grad_accum: 4, max_seq_length: 1024, used_gb: 0.727, budget_gb: 0.3, message: 'Checking memory: 0.73 of 0.3 GB at batch 16 x 1, ...; trying batch 4 x 4.' }));
  assert.equal(memoryComparison(cpuPlan, d), null, 'nothing accepted yet');
  d.apply(ev({ type: 'memory_check', attempt: 2, action: 'accept', verdict: 'replanned', batch_size: 4, grad_accum: 4, max_seq_length: 1024, used_gb: 0.201, budget_gb: 0.3, message: "Checking memory: 0.2 of 0.3 GB at batch 4 x 4, fits (the plan's batch 16 x 1 did not)." }));
  assert.deepEqual([d.memoryCheck?.action, d.memoryCheck?.verdict, d.memoryCheck?.usedGb, d.memoryCheck?.budgetGb], ['accept', 'replanned', 0.201, 0.3]);
  assert.equal(memoryComparison(cpuPlan, d)?.text, 'planned 0.31 GB, measured peak 0.20 GB (process memory, in the memory check)');
  assert.ok(d.logs.some((l) => /^Memory check 1: batch 16 x 1, 973 tokens per row: 0\.727 GB process memory growth$/.test(l)));
  // On a GPU the check's figure stands in until training reports its own peak.
  const gpu = { device: 'cuda' as const, estimated_vram_gb: 21.3 };
  assert.equal(memoryComparison(gpu, d)?.text, 'planned 21.3 GB, measured peak 0.20 GB in the memory check');
  d.apply(metrics(1, 2, { peak_reserved_gb: 20.4 }));
  assert.equal(memoryComparison(gpu, d)?.text, 'planned 21.3 GB, measured peak 20.4 GB');
});
