/** The sentences a plan carries, one per decision, in the words a user reads in the Method step and the CLI. */
import type { ModelSpec } from '../../shared/types/model';
import type { Objective, TrainingMethod } from '../../shared/types/plan';
import { countParams, loraParams, targetModulesFor } from '../catalog/params';
import { fmtGb } from './budget';
import { DEFAULTS } from './defaults';
import type { Candidate } from './search';

export const METHOD_NAMES: Record<TrainingMethod, string> = { qlora: 'QLoRA (4-bit)', lora: 'LoRA (16-bit)', full: 'full fine-tuning' };

export function methodReason(c: Candidate, auto: boolean, budgetGb: number, firstTries: Candidate[]): string {
  const share = Math.round((1 - c.totalGb / budgetGb) * 100);
  if (!auto) return `${METHOD_NAMES[c.method]}, as asked: the estimate (${fmtGb(c.totalGb)}) leaves ${share}% of the ${fmtGb(budgetGb)} budget.`;
  if (c.method === 'lora') return `LoRA in 16 bits: its estimate (${fmtGb(c.totalGb)}) leaves ${share}% of the ${fmtGb(budgetGb)} budget free (at least ${DEFAULTS.loraHeadroom * 100}% is needed), and 16-bit weights train a little better and faster than 4-bit ones.`;
  const lora = firstTries.find((t) => t.method === 'lora');
  const loraPart = lora ? `LoRA in 16 bits would need ${fmtGb(lora.totalGb)}, more than ${100 - DEFAULTS.loraHeadroom * 100}% of the ${fmtGb(budgetGb)} budget` : 'LoRA in 16 bits does not fit';
  return `QLoRA: ${loraPart}; loading the weights in 4 bits brings the estimate to ${fmtGb(c.totalGb)}.`;
}

export function batchReason(c: Candidate, start: number, fixed: boolean, gradAccum: number, device: 'cuda' | 'cpu'): string {
  const eff = c.batchSize * gradAccum;
  const base = `Batch ${c.batchSize} x ${gradAccum} gradient-accumulation steps = ${eff} sequences per optimiser step`;
  if (fixed) return `${base}, as asked.`;
  if (c.batchSize < start) return `${base}: the batch was cut from ${start} to ${c.batchSize} to fit, and accumulation keeps the effective batch.`;
  return `${base} (${device === 'cuda' ? 'Unsloth\'s notebooks\' default' : 'the default'}).`;
}

export function seqShrinkReason(from: number, to: number): string {
  return `max_seq_length cut from ${from} to ${to} tokens to fit the card: longer rows will be truncated.`;
}

export function loraReason(model: ModelSpec, rank: number, method: TrainingMethod): string {
  if (method === 'full') return `Every one of the ${(countParams(model).total / 1e9).toFixed(2)}B parameters is trained; no adapter.`;
  const targets = targetModulesFor(model);
  const n = loraParams(model, rank, targets);
  const pct = (100 * n) / countParams(model).total;
  const names = targets.map((t) => t.replace(/_proj$/, '')).join(', ');
  const vision = model.architecture.endsWith('ForConditionalGeneration') ? ' of the language model (not the vision tower)' : '';
  return `LoRA rank ${rank}, alpha ${rank}, dropout 0 on all ${targets.length === 7 ? 'seven' : 'four'} projections${vision} (${names}): ${(n / 1e6).toFixed(1)}M trainable parameters (${pct < 0.1 ? pct.toFixed(2) : pct.toFixed(1)}% of the model).`;
}

export function checkpointingReason(on: boolean, device: 'cuda' | 'cpu'): string {
  if (!on) return 'Gradient checkpointing off: faster, but every layer\'s activations stay in memory.';
  return device === 'cuda'
    ? 'Unsloth\'s gradient checkpointing: each layer\'s activations go to system RAM and are recomputed in the backward pass, so long rows fit at a small speed cost.'
    : 'Gradient checkpointing: activations are recomputed in the backward pass to save memory.';
}

export function optimizerReason(optimizer: string): string {
  return optimizer === 'adamw_8bit'
    ? 'AdamW 8-bit (bitsandbytes): the optimiser keeps its two states in 1 byte each instead of 4.'
    : 'AdamW (PyTorch) with fp32 states.';
}

export function objectiveReason(objective: Objective, method: TrainingMethod): string | null {
  if (objective !== 'dpo') return null;
  const ref = method === 'full' ? 'a frozen copy of the model is the reference' : 'the reference model is the base with the adapter switched off, so the weights are not loaded twice';
  return `DPO: the chosen and the rejected answer of each pair go through the model together, doubling activations; ${ref}.`;
}

export function plainFallbackReason(plainGb: number, budgetGb: number): string {
  return plainGb <= budgetGb
    ? `Should Unsloth be unavailable, plain transformers + PEFT would train this in about ${fmtGb(plainGb)} (slower, but it fits).`
    : `Should Unsloth be unavailable, plain transformers + PEFT would need about ${fmtGb(plainGb)}, more than the budget: the run would stop and say so rather than run out of memory.`;
}

export function estimateReason(totalGb: number, budgetGb: number): string {
  if (totalGb > budgetGb) return `Estimated peak ${fmtGb(totalGb)}: ${fmtGb(totalGb - budgetGb)} more than the ${fmtGb(budgetGb)} budget.`;
  return `Estimated peak ${fmtGb(totalGb)} of the ${fmtGb(budgetGb)} budget: ${fmtGb(budgetGb - totalGb)} headroom.`;
}
