/**
 * The host's side of the memory check: each memory_probe event (recorded shapes, as the sidecar sends them)
 * gets the planner's answer, and the run's memory record follows the readings, the verdict and the training
 * peak. The budget is the plan's, lowered by the user's and by what the GPU holds free now.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { RunMemory } from '../../shared/types/memory';
import type { ProbeDecisionFields, SidecarEvent } from '../../shared/types/sidecar';
import { REPO_ROOT } from '../paths';
import { loadCatalog } from '../catalog/catalog';
import { computePlan } from '../planner/plan';
import { CUDA_CONTEXT_GIB } from '../planner/memory';
import { checkBudgetGb, ProbeHost } from './probe-host';

const catalogue = loadCatalog(path.join(REPO_ROOT, 'resources'));
const plan = computePlan({ hardware: null, model: catalogue.find((m) => m.id === 'llama-3.1-8b-instruct')!, overrides: { vramGb: 24, method: 'qlora', batchSize: 4 } });

function probe(attempt: number, batch: number, accum: number, peakGb: number, extra: Record<string, unknown> = {}): SidecarEvent {
  return { type: 'memory_probe', seq: attempt, ts: '2025-01-01T00:00:00Z', attempt, batch_size: batch, grad_accum: accum, max_seq_length: plan.max_seq_length, steps: 2, measure: 'cuda', peak_gb: peakGb, peak_allocated_gb: peakGb - 1, available_gb: 23.4, tokens: 2000, rows: 900, row_tokens: [2000, 1990], seconds: 8, ...extra } as SidecarEvent;
}

test('the check\'s budget: the plan\'s, or the user\'s if lower, or what the GPU could give now plus the context', () => {
  assert.equal(checkBudgetGb({ vram_budget_gb: 24 }, null, { measure: 'cuda', available_gb: 30 }), 24);
  assert.equal(checkBudgetGb({ vram_budget_gb: 24 }, { budgetGb: 20 }, { measure: 'cuda', available_gb: 30 }), 20);
  assert.ok(Math.abs(checkBudgetGb({ vram_budget_gb: 24 }, null, { measure: 'cuda', available_gb: 18 }) - (18 + CUDA_CONTEXT_GIB)) < 1e-9, 'another program took memory since the plan');
  assert.equal(checkBudgetGb({ vram_budget_gb: 20 }, { budgetGb: 0.3 }, { measure: 'rss', available_gb: null }), 0.3);
});

test('probes are answered with the planner\'s decision, and the record keeps readings, verdict, settings and training peak', () => {
  assert.equal(plan.batch_size, 4);
  const answers: ProbeDecisionFields[] = [];
  const records: RunMemory[] = [];
  const host = new ProbeHost({ plan, answer: (d) => answers.push(d), onRecord: (m) => records.push(structuredClone(m)) });
  assert.equal(host.memory.plannedGb, plan.estimated_vram_gb);
  // 22.6 GB reserved + the context: over the 22.8 GB a 24 GB budget allows.
  host.onEvent(probe(1, 4, plan.grad_accum, 22.6));
  assert.deepEqual([answers[0].action, answers[0].verdict, answers[0].batch_size, answers[0].grad_accum], ['retry', 'smaller', 2, plan.grad_accum * 2]);
  assert.equal(answers[0].budget_gb, 24);
  assert.equal(answers[0].used_gb, 23.2);
  host.onEvent(probe(2, 2, plan.grad_accum * 2, 15.1));
  assert.deepEqual([answers[1].action, answers[1].verdict], ['accept', 'replanned']);
  assert.match(answers[1].message, /^Checking memory: 15\.7 of 24 GB at batch 2 x \d+, fits/);
  for (const peak of [14.2, 15.3, 14.9]) host.onEvent({ type: 'metrics', seq: 9, ts: 'x', step: 1, max_steps: 3, epoch: 0, peak_reserved_gb: peak } as SidecarEvent);
  const m = host.finish();
  assert.equal(m.check!.verdict, 'replanned');
  assert.deepEqual(m.check!.applied, { batchSize: 2, gradAccum: plan.grad_accum * 2, maxSeqLength: plan.max_seq_length });
  assert.deepEqual(m.check!.readings.map((r) => [r.batchSize, r.measuredGb, r.usedGb]), [[4, 22.6, 23.2], [2, 15.1, 15.7]]);
  assert.equal(m.trainingPeakGb, 15.3);
  assert.equal(records.length, 3, 'stored after each decision and at the end');
});

test('a run that ends while the check still had something to try is recorded as stopped', () => {
  const host = new ProbeHost({ plan, answer: () => undefined });
  host.onEvent(probe(1, 4, plan.grad_accum, 30, { oom: true }));
  assert.equal(host.memory.check!.verdict, 'smaller');
  assert.equal(host.finish().check!.verdict, 'stopped');
  assert.match(host.memory.check!.message, /ran out of memory.*The run ended before the check finished\./);
});
