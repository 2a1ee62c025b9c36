/** The planner's starting points (Unsloth's notebook defaults) and how the sequence length is chosen. */
import type { DatasetTokenStats, Objective, TrainingMethod } from '../../shared/types/plan';
import type { ModelSpec } from '../../shared/types/model';
import { ALL_LINEAR_MODULES } from '../catalog/params';

export const DEFAULTS = {
  maxSeqLength: 2048,
  /** Per-device batch Unsloth's notebooks start from; the planner lowers it, never raises it. */
  batchSize: 2,
  effectiveBatch: 8,
  /** The demo's optimiser steps on a CPU: rows per step (see demoLearningRate). */
  demoEffectiveBatch: 4,
  loraRank: 16,
  loraDropout: 0,
  /** Llama-style names; plans use catalog/params.ts targetModulesFor(model), which knows fused (Phi-3) ones. */
  targetModules: [...ALL_LINEAR_MODULES],
  minSeqLength: 256,
  /** Longest sequence the planner picks on its own from a dataset; users may ask for more. */
  maxAutoSeqLength: 8192,
  /** A CPU plan is refused only when its run would take longer than this. */
  cpuMaxHours: 8,
  /**
   * FLOP/s per physical core assumed until the sidecar has measured this machine (planner/calibration.ts):
   * about half of what a 2-core cloud VM measured for LoRA on SmolLM2 in fp32 (~60 GFLOP/s per core), so an
   * unmeasured estimate errs long.
   */
  cpuFlopsPerCore: 30e9,
  /** Share of free VRAM LoRA in 16 bits must leave unused, or QLoRA is chosen instead. */
  loraHeadroom: 0.1,
} as const;

export function learningRate(method: TrainingMethod, objective: Objective): number {
  if (objective === 'dpo') return method === 'full' ? 1e-6 : 5e-6;
  return method === 'full' ? 2e-5 : 2e-4;
}

/**
 * The demo learns a house style (resources/samples/style-*.jsonl) in one short CPU run: a bolder rate than
 * LoRA's usual 2e-4, so the style is in (nearly) every held-out reply after one epoch, through Ollama too
 * (electron/core/runs/integration/real-style.test.ts, e2e/demo.spec.ts).
 */
export function demoLearningRate(objective: Objective): number {
  return objective === 'dpo' ? 5e-5 : 1e-3;
}

const roundUp = (n: number, step: number) => Math.ceil(n / step) * step;

export interface SeqChoice {
  value: number;
  /** Whether the user fixed it (then the planner will not shorten it to fit). */
  fixed: boolean;
  reason: string;
}

export function chooseSeqLength(model: ModelSpec, stats: DatasetTokenStats | null | undefined, override: number | undefined): SeqChoice {
  const cap = model.maxPositionEmbeddings;
  if (override !== undefined) {
    if (override > cap) return { value: cap, fixed: true, reason: `max_seq_length ${cap}: ${model.name} handles at most ${cap} positions, less than the ${override} asked for.` };
    return { value: override, fixed: true, reason: `max_seq_length ${override}, as asked.` };
  }
  if (stats && stats.rows > 0 && stats.maxTokens > 0) {
    // A few very long rows should not make every step pay for them: cover the 95th percentile then.
    const outliers = stats.maxTokens > 2 * stats.p95Tokens;
    const need = outliers ? stats.p95Tokens : stats.maxTokens;
    const value = Math.min(cap, DEFAULTS.maxAutoSeqLength, Math.max(DEFAULTS.minSeqLength, roundUp(need, 256)));
    const why = outliers
      ? `covers 95% of your rows (p95 ${stats.p95Tokens} tokens); the longest (${stats.maxTokens}) will be truncated`
      : value >= stats.maxTokens
        ? `your longest row has ${stats.maxTokens} tokens`
        : `rows longer than ${value} tokens (the longest has ${stats.maxTokens}) will be truncated`;
    return { value, fixed: false, reason: `max_seq_length ${value}: ${why}.` };
  }
  if (cap < DEFAULTS.maxSeqLength) return { value: cap, fixed: false, reason: `max_seq_length ${cap}: the most ${model.name} handles.` };
  return { value: DEFAULTS.maxSeqLength, fixed: false, reason: `max_seq_length ${DEFAULTS.maxSeqLength}, Unsloth's default; choosing a dataset fits it to your rows.` };
}
