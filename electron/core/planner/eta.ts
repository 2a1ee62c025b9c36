/**
 * How long a planned run takes on the CPU: FLOPs per token x tokens in the run / this machine's FLOP/s. Pure;
 * the measured speed comes in as an input (planner/calibration.ts measures it once per machine).
 *
 * FLOPs per token (Kaplan et al. 2020, "Scaling Laws for Neural Language Models", §2.1; Chinchilla's
 * appendix F counts the same way):
 * - forward: 2 FLOPs per weight a token meets in a matrix multiply (one multiply, one add). That is every
 *   decoder projection plus the output head (vocab x hidden, tied or not); the embedding is a lookup, 0 FLOPs.
 *   Attention adds its score and value products, 2 x 2 x layers x (heads x headDim) x context, where a causal
 *   token attends to half the row on average.
 * - full fine-tuning: backward is twice the forward (the gradient with respect to the input and the one with
 *   respect to the weight, each a multiply as large as the forward's), so 6 FLOPs per weight.
 * - LoRA: the base weights are frozen, so backward computes only the input gradients through them (one more
 *   forward-sized product per layer, not two): 4 FLOPs per frozen weight, plus 6 per adapter weight. The score
 *   and value products have no weights and need both their input gradients: 3x their forward.
 * - gradient checkpointing recomputes the forward once more during backward: +1 forward.
 * Checked against measured runs in bench/cpu_eta.py (the calibration below, then a real SmolLM2 training).
 */
import type { ModelArchitecture } from '../../shared/types/model';
import type { CpuSpeed, DatasetTokenStats, PlanEta, TrainingMethod } from '../../shared/types/plan';
import { countParams, headDimOf, loraParams } from '../catalog/params';

export interface FlopsSettings {
  method: TrainingMethod;
  loraRank: number;
  targetModules: readonly string[];
  gradientCheckpointing: boolean;
  /** Average tokens per row: what each token attends over (half of it, causally). */
  meanTokens: number;
  objective?: 'sft' | 'dpo';
}

export function flopsPerToken(a: ModelArchitecture, s: FlopsSettings): number {
  const p = countParams(a);
  const matmul = p.linear + a.vocabSize * a.hiddenSize; // the output head multiplies even when tied
  const attention = 2 * 2 * a.layers * a.heads * headDimOf(a) * (s.meanTokens / 2);
  const forward = 2 * matmul + attention;
  let total: number;
  if (s.method === 'full') total = 3 * forward;
  else total = 2 * (2 * matmul) + 3 * attention + 6 * loraParams(a, s.loraRank, s.targetModules);
  if (s.gradientCheckpointing) total += forward;
  // DPO scores the reference with the adapter switched off: one more forward per token, no backward.
  if (s.objective === 'dpo') total += forward;
  return total;
}

/** The run as planned: how many optimiser steps, over how many rows. */
export interface RunLength {
  maxSteps?: number | null;
  epochs?: number | null;
}

export interface EtaInput {
  model: ModelArchitecture;
  flops: FlopsSettings;
  stats: DatasetTokenStats;
  batchSize: number;
  gradAccum: number;
  maxSeqLength: number;
  run: RunLength;
  speed: CpuSpeed;
}

/** Seconds to load the model, tokenise and save (merge) around the training loop: fp32 weights read and written. */
export function overheadSeconds(a: ModelArchitecture): number {
  return Math.round(15 + 60 * a.paramsB);
}

export function stepsFor(stats: DatasetTokenStats, effectiveBatch: number, run: RunLength): number {
  if (run.maxSteps) return run.maxSteps;
  return Math.max(1, Math.ceil((stats.rows * (run.epochs ?? 1)) / effectiveBatch));
}

/**
 * Tokens a step's micro-batch pays for. Each micro-batch is padded to its longest row, so with several rows
 * per micro-batch the cost is closer to a long row than to the mean: interpolated towards the 95th percentile.
 */
export function paddedTokensPerRow(stats: DatasetTokenStats, batchSize: number, maxSeqLength: number): number {
  const mean = Math.min(stats.meanTokens, maxSeqLength);
  const long = Math.min(Math.max(stats.p95Tokens, mean), maxSeqLength);
  return mean + (long - mean) * (1 - 1 / batchSize);
}

export function estimateEta(i: EtaInput): PlanEta {
  const effective = i.batchSize * i.gradAccum;
  const steps = stepsFor(i.stats, effective, i.run);
  const rows = steps * effective;
  const tokens = Math.round(rows * paddedTokensPerRow(i.stats, i.batchSize, i.maxSeqLength));
  const perToken = flopsPerToken(i.model, { ...i.flops, meanTokens: Math.min(i.stats.meanTokens, i.maxSeqLength) });
  const training = (perToken * tokens) / i.speed.flopsPerSecond;
  return {
    seconds: Math.round(training + overheadSeconds(i.model)),
    trainingSeconds: Math.round(training),
    steps,
    tokens,
    flopsPerToken: Math.round(perToken),
    flopsPerSecond: i.speed.flopsPerSecond,
    measured: i.speed.measured,
  };
}

/** Seconds one optimiser step takes with these settings. */
export function secondsPerStep(i: EtaInput): number {
  const tokens = i.batchSize * i.gradAccum * paddedTokensPerRow(i.stats, i.batchSize, i.maxSeqLength);
  return (flopsPerToken(i.model, { ...i.flops, meanTokens: Math.min(i.stats.meanTokens, i.maxSeqLength) }) * tokens) / i.speed.flopsPerSecond;
}

/** The most steps that fit in `seconds`, loading and saving included (0 when even those take longer). */
export function stepsWithin(i: EtaInput, seconds: number): number {
  const budget = seconds - overheadSeconds(i.model);
  return budget <= 0 ? 0 : Math.floor(budget / secondsPerStep(i));
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = seconds / 60;
  if (minutes < 90) return `${Math.round(minutes)} min`;
  const hours = minutes / 60;
  return hours < 48 ? `${hours.toFixed(hours < 10 ? 1 : 0)} h` : `${Math.round(hours / 24)} days`;
}
