import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../paths';
import { loadCatalog } from '../catalog/catalog';
import { countParams, loraParams } from '../catalog/params';
import { estimateEta, flopsPerToken, formatDuration, paddedTokensPerRow, secondsPerStep, stepsWithin, type EtaInput } from './eta';
import { speedFrom } from './calibration';

const catalogue = loadCatalog(path.join(REPO_ROOT, 'resources'));
const byId = (id: string) => catalogue.find((m) => m.id === id)!;
const ALL = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];

test('FLOPs per token: 2 per weight forward, 4 for LoRA, 6 for full fine-tuning, +2 with checkpointing', () => {
  const m = byId('smollm2-135m-instruct');
  // Weights a token meets in a multiply: the 30 decoder layers and the (tied) output head; not the embedding lookup.
  const n = countParams(m).linear + m.vocabSize * m.hiddenSize;
  assert.ok(Math.abs(n / 134.5e6 - 1) < 0.01, `${n}`);
  const base = { loraRank: 16, targetModules: ALL, meanTokens: 0 };
  const lora = flopsPerToken(m, { ...base, method: 'lora', gradientCheckpointing: false });
  const full = flopsPerToken(m, { ...base, method: 'full', gradientCheckpointing: false });
  const loraGc = flopsPerToken(m, { ...base, method: 'lora', gradientCheckpointing: true });
  assert.equal(full, 6 * n);
  assert.equal(lora, 4 * n + 6 * loraParams(m, 16, ALL));
  assert.equal(loraGc - lora, 2 * n);
  // Attention grows with the row: for SmolLM2 at 80 tokens it is under 2% of the total, at 8k tokens it dominates.
  const short = flopsPerToken(m, { ...base, method: 'lora', gradientCheckpointing: false, meanTokens: 80 });
  const long = flopsPerToken(m, { ...base, method: 'lora', gradientCheckpointing: false, meanTokens: 8192 });
  assert.ok(short / lora - 1 < 0.02 && long / lora > 2);
  // DPO scores the reference once more (a forward per token).
  assert.equal(flopsPerToken(m, { ...base, method: 'lora', gradientCheckpointing: false, objective: 'dpo' }) - lora, 2 * n);
});

test('the ETA: steps from epochs or max steps, padded tokens, the measured speed, and the most steps that fit', () => {
  const m = byId('smollm2-135m-instruct');
  const input: EtaInput = {
    model: m,
    flops: { method: 'lora', loraRank: 16, targetModules: ALL, gradientCheckpointing: false, meanTokens: 0 },
    stats: { rows: 156, meanTokens: 79, p95Tokens: 86, maxTokens: 93 },
    batchSize: 2,
    gradAccum: 2,
    maxSeqLength: 256,
    run: { epochs: 1 },
    speed: { flopsPerSecond: 100e9, measured: true, how: 'test' },
  };
  const epoch = estimateEta(input);
  assert.equal(epoch.steps, 39); // 156 rows / 4 per step
  assert.equal(paddedTokensPerRow(input.stats, 2, 256), 79 + (86 - 79) / 2);
  assert.equal(epoch.tokens, Math.round(39 * 4 * 82.5));
  assert.equal(epoch.trainingSeconds, Math.round((epoch.flopsPerToken * epoch.tokens) / 100e9));
  assert.equal(estimateEta({ ...input, run: { epochs: 3 } }).steps, 117);
  assert.equal(estimateEta({ ...input, run: { maxSteps: 10, epochs: 3 } }).steps, 10, 'max steps win over epochs');
  // Rows longer than max_seq_length are cut: they cost what max_seq_length costs.
  assert.equal(paddedTokensPerRow({ rows: 1, meanTokens: 3000, p95Tokens: 5000, maxTokens: 9000 }, 4, 1024), 1024);
  // Twice the speed, half the training time.
  const fast = estimateEta({ ...input, speed: { ...input.speed, flopsPerSecond: 200e9 } });
  assert.ok(Math.abs(fast.trainingSeconds * 2 - epoch.trainingSeconds) <= 1);
  // stepsWithin and the estimate agree: that many steps fit the budget, one more does not.
  const budget = 3600;
  const n = stepsWithin(input, budget);
  assert.ok(estimateEta({ ...input, run: { maxSteps: n } }).seconds <= budget);
  assert.ok(estimateEta({ ...input, run: { maxSteps: n + 1 } }).seconds > budget - secondsPerStep(input));
  assert.equal(stepsWithin(input, 5), 0, 'loading alone takes longer');
  assert.deepEqual([formatDuration(42), formatDuration(600), formatDuration(5 * 3600), formatDuration(50 * 3600)], ['42 s', '10 min', '5.0 h', '2 days']);
});

test('a calibration run becomes FLOP/s through the same count the planner uses', () => {
  const measured = {
    tokens_per_second: 200,
    seq: 128,
    batch: 4,
    threads: 2,
    lora_rank: 16,
    target_modules: ALL,
    gradient_checkpointing: false,
    shape: { layers: 30, hiddenSize: 576, heads: 9, kvHeads: 3, intermediateSize: 1536, vocabSize: 49152, tieWordEmbeddings: true },
  };
  const m = byId('smollm2-135m-instruct');
  const perToken = flopsPerToken(m, { method: 'lora', loraRank: 16, targetModules: ALL, gradientCheckpointing: false, meanTokens: 128 });
  assert.ok(Math.abs(speedFrom(measured) / (200 * perToken) - 1) < 1e-9);
  // So planning the calibration's own run at that speed predicts exactly its measured rate.
  const eta = estimateEta({
    model: m,
    flops: { method: 'lora', loraRank: 16, targetModules: ALL, gradientCheckpointing: false, meanTokens: 0 },
    stats: { rows: 4000, meanTokens: 128, p95Tokens: 128, maxTokens: 128 },
    batchSize: 4,
    gradAccum: 1,
    maxSeqLength: 128,
    run: { maxSteps: 1000 },
    speed: { flopsPerSecond: speedFrom(measured), measured: true, how: 'test' },
  });
  assert.ok(Math.abs(eta.tokens / eta.trainingSeconds - 200) < 1);
});
