/** "Our estimates were within 7% on your last 5 runs": from recorded runs, only where the plan was measured. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunMemory } from './types/memory';
import { accuracySentence, measuredAtPlan, memoryAccuracy } from './run-memory';

const planned = { batchSize: 2, gradAccum: 4, maxSeqLength: 2048 };
function run(plannedGb: number, firstUsed: number | null, extra: Partial<RunMemory> = {}): { memory: RunMemory } {
  const readings = firstUsed === null ? [] : [{ ...planned, attempt: 1, measuredGb: firstUsed - 0.6, usedGb: firstUsed, tokens: 2000, seconds: 8 }];
  return { memory: { device: 'cuda', plannedGb, planned, contextGb: 0.6, measure: 'cuda', check: { budgetGb: 24, marginGb: 1.2, verdict: 'fits', message: '', readings, applied: planned }, trainingPeakGb: null, ...extra } };
}

test('what counts as measured at the plan: the first probe at the planned settings, else the training peak of a run trained as planned', () => {
  assert.equal(measuredAtPlan(run(20, 21.4).memory), 21.4);
  assert.equal(measuredAtPlan(run(20, null, { check: null, trainingPeakGb: 19 }).memory), 19.6);
  const shrunk = run(20, null, { trainingPeakGb: 12 });
  shrunk.memory.check!.applied = { ...planned, batchSize: 1, gradAccum: 8 };
  assert.equal(measuredAtPlan(shrunk.memory), null, 'a training peak at other settings says nothing about the estimate');
  assert.equal(measuredAtPlan(null), null);
});

test('accuracy over the last runs of a device, honest about its direction', () => {
  const runs = [run(20, 21.4), run(10, 9.5), run(8, 8.4), run(16, null), run(12, 12.2), run(20, 20.4), run(5, 9)];
  const a = memoryAccuracy(runs, 'cuda')!;
  assert.equal(a.runs, 5);
  assert.ok(Math.abs(a.worstPct - 7) < 1e-9);
  assert.equal(accuracySentence(a), 'Our memory estimates were within 7% on your last 5 GPU runs (2% low on average: the memory check at the start of each run catches what the estimate misses).');
  assert.equal(memoryAccuracy(runs, 'cpu'), null);
  const cpu = memoryAccuracy([{ memory: { ...run(0.16, 0.7).memory, device: 'cpu' } }], 'cpu')!;
  assert.match(accuracySentence(cpu), /^Our memory estimates were off by up to 338% on your last CPU run \(338% low on average/);
});
