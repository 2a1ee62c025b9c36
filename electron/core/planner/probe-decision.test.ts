/**
 * The memory check's decisions (issue #16) on recorded readings: the re-plan order (batch first, the effective
 * batch kept; then the sequence, only with consent when rows would be cut), the margin, the faster offer.
 * The GPU readings are what a 24 GB card reports for the named plans (no GPU here); the CPU ones were recorded
 * from the real sidecar's RSS probe on the tiny model (see python-runtime/tests/test_probe.py).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeReading, TrainSettings } from '../../shared/types/memory';
import { CUDA_CONTEXT_GIB } from './memory';
import { decideAfterProbe, fmtProbeGb, MAX_ATTEMPTS, predictor, type ProbeInput } from './probe-decision';

const PLANNED: TrainSettings = { batchSize: 2, gradAccum: 4, maxSeqLength: 2048 };

/** A CUDA reading: torch's peak reserved, as the sidecar reports it, plus the context the budget includes. */
function gpu(s: TrainSettings, reservedGb: number, attempt: number, extra: Partial<ProbeReading> = {}): ProbeReading {
  return { ...s, attempt, measuredGb: reservedGb, usedGb: reservedGb + CUDA_CONTEXT_GIB, tokens: Math.min(s.maxSeqLength, 1900), seconds: 9, ...extra };
}

function input(readings: ProbeReading[], over: Partial<ProbeInput> = {}): ProbeInput {
  return {
    device: 'cuda',
    budgetGb: 24,
    objective: 'sft',
    planned: PLANNED,
    activationShare: 0.3,
    readings,
    rowTokens: [1900, 1850, 1700, 1200, 900, 800],
    rows: 500,
    allowTruncation: false,
    takeFaster: false,
    ...over,
  };
}

test('a peak within the margin fits as planned, in the words the run page shows', () => {
  const d = decideAfterProbe(input([gpu(PLANNED, 21.1, 1)]));
  assert.equal(d.action, 'accept');
  assert.equal(d.verdict, 'fits');
  assert.deepEqual(d.settings, PLANNED);
  assert.equal(d.message, 'Checking memory: 21.7 of 24 GB, fits.');
  assert.equal(fmtProbeGb(d.marginGb), '1.2');
  assert.equal(fmtProbeGb(d.usableGb), '22.8');
});

test('above the budget less its margin (though under the budget) the batch shrinks first, accumulation keeps the effective batch', () => {
  const d = decideAfterProbe(input([gpu(PLANNED, 22.4, 1)]));
  assert.equal(d.usedGb, 23);
  assert.equal(d.action, 'retry');
  assert.equal(d.verdict, 'smaller');
  assert.deepEqual(d.settings, { batchSize: 1, gradAccum: 8, maxSeqLength: 2048 });
  assert.match(d.message, /23 of 24 GB at batch 2 x 4, more than the 22\.8 GB a run may use \(a 1\.2 GB margin stays free\); trying batch 1 x 8 \(the same 8 rows per optimiser step\)/);
  // Measured again at batch 1: it fits, and the run says the plan's batch did not.
  const next = decideAfterProbe(input([gpu(PLANNED, 22.4, 1), gpu(d.settings, 17.9, 2)]));
  assert.equal(next.action, 'accept');
  assert.equal(next.verdict, 'replanned');
  assert.deepEqual(next.settings, { batchSize: 1, gradAccum: 8, maxSeqLength: 2048 });
  assert.match(next.message, /18\.5 of 24 GB at batch 1 x 8, fits \(the plan's batch 2 x 4 did not\)/);
});

test('the next batch is the largest one predicted to fit, not always a halving', () => {
  const planned = { batchSize: 16, gradAccum: 1, maxSeqLength: 1024 };
  // 30 GB measured, 80% of it activations: 6 GB fixed, 1.5 GB per row of 1024 tokens.
  const r = { ...gpu(planned, 29.4, 1), tokens: 1024 };
  const d = decideAfterProbe(input([r], { planned, activationShare: 0.8 }));
  assert.deepEqual(d.settings, { batchSize: 8, gradAccum: 2, maxSeqLength: 1024 });
  const tight = decideAfterProbe(input([r], { planned, activationShare: 0.8, budgetGb: 14 }));
  assert.deepEqual(tight.settings, { batchSize: 4, gradAccum: 4, maxSeqLength: 1024 }, '6 + 4 x 1.5 = 12 GB fits 13.3 GB');
  // Two readings: the line through them replaces the planner's split.
  const a = { ...gpu({ batchSize: 8, gradAccum: 2, maxSeqLength: 1024 }, 19.4, 1), tokens: 1024 };
  const b = { ...gpu({ batchSize: 4, gradAccum: 4, maxSeqLength: 1024 }, 11.4, 2), tokens: 1024 };
  const p = predictor([a, b], 0.1)!;
  assert.ok(Math.abs(p(2 * 1024) - 8) < 1e-9, 'fixed 4 GB + 2 GB per row');
});

test('a probe that ran out of memory halves the batch without a prediction', () => {
  const planned = { batchSize: 8, gradAccum: 1, maxSeqLength: 4096 };
  const d = decideAfterProbe(input([gpu(planned, 23.5, 1, { oom: true })], { planned }));
  assert.equal(d.action, 'retry');
  assert.deepEqual(d.settings, { batchSize: 4, gradAccum: 2, maxSeqLength: 4096 });
  assert.match(d.message, /batch 8 x 1 ran out of memory; trying batch 4 x 2/);
});

test('at batch 1 the sequence is cut only with consent; without it the run stops and says what would fit', () => {
  const one = { batchSize: 1, gradAccum: 8, maxSeqLength: 2048 };
  const readings = [gpu(PLANNED, 26, 1), gpu(one, 23.2, 2)];
  const asked = decideAfterProbe(input(readings));
  assert.equal(asked.action, 'abort');
  assert.equal(asked.verdict, 'needs_consent');
  // The line through 26.6 GB (2 x 1900 tokens) and 23.8 GB (1 x 1900): 21 GB fixed + 1.47 GB per 1000 tokens.
  assert.equal(asked.truncatedRows, 4);
  assert.match(asked.message, /23\.8 of 24 GB even at batch 1 \(1900 tokens per row\).*Cutting rows to 1024 tokens should fit \(about 22\.5 GB\), but cuts 4 of 500 rows/);
  assert.match(asked.hint!, /--allow-truncation/);
  const allowed = decideAfterProbe(input(readings, { allowTruncation: true }));
  assert.equal(allowed.action, 'retry');
  assert.deepEqual(allowed.settings, { batchSize: 1, gradAccum: 8, maxSeqLength: 1024 });
  assert.match(allowed.message, /trying max_seq_length 1024 .*cuts 4 of 500 rows, as you allowed/);
  // Row lengths unknown: cutting is assumed to cut.
  assert.equal(decideAfterProbe(input(readings, { rowTokens: [] })).verdict, 'needs_consent');
  // DPO pairs are not cut by the check.
  const dpo = decideAfterProbe(input(readings, { objective: 'dpo', allowTruncation: true }));
  assert.equal(dpo.verdict, 'does_not_fit');
  // Nothing shorter than the minimum: it does not fit.
  const min = { batchSize: 1, gradAccum: 8, maxSeqLength: 256 };
  const floor = decideAfterProbe(input([gpu(min, 24, 1, { tokens: 256 })], { planned: min, allowTruncation: true }));
  assert.equal(floor.action, 'abort');
  assert.equal(floor.verdict, 'does_not_fit');
  assert.match(floor.hint!, /QLoRA/);
});

test('a sequence limit above the longest row saves nothing, so it is never what the check tries', () => {
  const one = { batchSize: 1, gradAccum: 8, maxSeqLength: 8192 };
  // The longest row has 700 tokens: 4096, 2048 and 1024 would change nothing; 512 is the first that does.
  const d = decideAfterProbe(input([gpu(one, 24, 1, { tokens: 700 })], { planned: one, rowTokens: [700, 650, 600, 500], allowTruncation: true }));
  assert.equal(d.settings.maxSeqLength, 512);
  assert.equal(d.truncatedRows, 3);
});

test('lots of room: a faster plan is offered, and probed then taken when asked', () => {
  const r = gpu(PLANNED, 8.5, 1);
  const offered = decideAfterProbe(input([r]));
  assert.equal(offered.action, 'accept');
  assert.equal(offered.verdict, 'fits');
  assert.deepEqual(offered.offer!.settings, { batchSize: 8, gradAccum: 1, maxSeqLength: 2048 });
  assert.match(offered.message, /9\.1 of 24 GB, fits; batch 8 x 1 would also fit \(about 1\d\.\d GB\) and train faster\./);
  const trying = decideAfterProbe(input([r], { takeFaster: true }));
  assert.equal(trying.action, 'retry');
  assert.equal(trying.verdict, 'trying_faster');
  const took = decideAfterProbe(input([r, gpu(trying.settings, 17.5, 2)], { takeFaster: true }));
  assert.deepEqual([took.action, took.verdict, took.settings.batchSize], ['accept', 'faster', 8]);
  // The faster plan measured too much: back to the settings that were measured to fit, no further probe.
  const back = decideAfterProbe(input([r, gpu(trying.settings, 23, 2)], { takeFaster: true }));
  assert.deepEqual([back.action, back.verdict, back.settings], ['accept', 'fits', PLANNED]);
  assert.match(back.message, /too much for a faster plan; training with batch 2 x 4 \(9\.1 of 24 GB\)/);
  // No room to double within the effective batch (accumulation 1), or too little room: no offer.
  assert.equal(decideAfterProbe(input([gpu({ ...PLANNED, batchSize: 8, gradAccum: 1 }, 8.5, 1)], { planned: { ...PLANNED, batchSize: 8, gradAccum: 1 } })).offer, null);
  assert.equal(decideAfterProbe(input([gpu(PLANNED, 15, 1)])).offer, null);
});

test('the margin is the planner\'s: max(0.5 GB, 5%) on a GPU, 5% of a CPU budget', () => {
  const at = (used: number, budgetGb: number, device: 'cuda' | 'cpu') =>
    decideAfterProbe(input([{ ...gpu(PLANNED, used, 1), usedGb: used }], { budgetGb, device })).action;
  assert.equal(at(7.5, 8, 'cuda'), 'accept');
  assert.equal(at(7.51, 8, 'cuda'), 'retry');
  assert.equal(at(76, 80, 'cuda'), 'accept');
  assert.equal(at(76.1, 80, 'cuda'), 'retry');
  assert.equal(at(0.95, 1, 'cpu'), 'accept');
  assert.equal(at(0.96, 1, 'cpu'), 'retry');
});

test('the check gives up after a few tries', () => {
  const s = { batchSize: 64, gradAccum: 1, maxSeqLength: 512 };
  const readings = Array.from({ length: MAX_ATTEMPTS }, (_, i) => gpu({ ...s, batchSize: 64 >> i }, 30, i + 1));
  const d = decideAfterProbe(input(readings, { planned: s }));
  assert.equal(d.action, 'abort');
  assert.equal(d.verdict, 'does_not_fit');
});

test('recorded CPU readings of the tiny model (RSS growth): batch 16 goes straight to 4 x 4 under a 0.27 GB budget', () => {
  // Recorded by the real sidecar here (hone train --batch 16 --budget-gb 0.27, rows of 973 tokens): 16 x 1 grew
  // the process by 0.696 GB, then 4 x 4 by 0.219 GB. The plan's estimate is nearly all activations.
  const planned = { batchSize: 16, gradAccum: 1, maxSeqLength: 1024 };
  const at = { device: 'cpu' as const, budgetGb: 0.27, planned, activationShare: 0.97, rowTokens: [973, 968, 960], rows: 40 };
  const first: ProbeReading = { ...planned, attempt: 1, measuredGb: 0.696, usedGb: 0.696, tokens: 973, seconds: 11 };
  const d = decideAfterProbe(input([first], at));
  // 8 rows would be predicted at ~0.37 GB, over the 0.2565 GB a run may use; 4 rows at ~0.19 GB.
  assert.deepEqual([d.action, d.settings], ['retry', { batchSize: 4, gradAccum: 4, maxSeqLength: 1024 }]);
  assert.equal(d.message, 'Checking memory: 0.7 of 0.27 GB at batch 16 x 1, more than the 0.26 GB a run may use (a 0.01 GB margin stays free); trying batch 4 x 4 (the same 16 rows per optimiser step).');
  const second: ProbeReading = { ...d.settings, attempt: 2, measuredGb: 0.219, usedGb: 0.219, tokens: 973, seconds: 4 };
  const ok = decideAfterProbe(input([first, second], at));
  assert.deepEqual([ok.action, ok.verdict, ok.settings], ['accept', 'replanned', d.settings]);
  assert.equal(ok.message, "Checking memory: 0.22 of 0.27 GB at batch 4 x 4, fits (the plan's batch 16 x 1 did not).");
});
