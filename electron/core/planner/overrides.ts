/** User overrides arrive from the UI, the CLI and the wire: check each one and name the field that is wrong. */
import { HoneError } from '../../shared/errors';
import type { PlanOverrides } from '../../shared/types/plan';

const METHODS = ['qlora', 'lora', 'full'] as const;
const OBJECTIVES = ['sft', 'dpo'] as const;
const INTS: [keyof PlanOverrides, number, number, string][] = [
  ['maxSeqLength', 16, 1_048_576, 'max_seq_length'],
  ['batchSize', 1, 1024, 'batch size'],
  ['gradAccum', 1, 1024, 'gradient accumulation'],
  ['loraRank', 1, 1024, 'LoRA rank'],
  // Several processes (issue #15): per machine, and machines.
  ['processes', 1, 1024, 'number of processes'],
  ['nodes', 1, 4096, 'number of machines'],
  ['maxSteps', 1, 10_000_000, 'number of steps'],
];

export function validateOverrides(raw: unknown): PlanOverrides {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new HoneError('BAD_REQUEST', 'Plan overrides must be an object.');
  const o = raw as Record<string, unknown>;
  const out: PlanOverrides = {};
  for (const [key, min, max, label] of INTS) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new HoneError('BAD_REQUEST', `The ${label} must be a whole number from ${min} to ${max}, not ${JSON.stringify(v)}.`);
    }
    (out as Record<string, number>)[key] = v;
  }
  if (o.vramGb !== undefined && o.vramGb !== null) {
    if (typeof o.vramGb !== 'number' || !(o.vramGb > 0) || o.vramGb > 4096) throw new HoneError('BAD_REQUEST', `The card size must be a number of GB above 0, not ${JSON.stringify(o.vramGb)}.`);
    out.vramGb = o.vramGb;
  }
  if (o.epochs !== undefined && o.epochs !== null) {
    if (typeof o.epochs !== 'number' || !(o.epochs > 0) || o.epochs > 1000) throw new HoneError('BAD_REQUEST', `The number of epochs must be above 0 and at most 1000, not ${JSON.stringify(o.epochs)}.`);
    out.epochs = o.epochs;
  }
  if (o.method !== undefined && o.method !== null) {
    if (!METHODS.includes(o.method as (typeof METHODS)[number])) throw new HoneError('BAD_REQUEST', `The method must be one of ${METHODS.join(', ')}, not ${JSON.stringify(o.method)}.`);
    out.method = o.method as PlanOverrides['method'];
  }
  if (o.objective !== undefined && o.objective !== null) {
    if (!OBJECTIVES.includes(o.objective as (typeof OBJECTIVES)[number])) throw new HoneError('BAD_REQUEST', `The objective must be sft or dpo, not ${JSON.stringify(o.objective)}.`);
    out.objective = o.objective as PlanOverrides['objective'];
  }
  if (o.gpus !== undefined && o.gpus !== null) {
    const ok = Array.isArray(o.gpus) && o.gpus.length >= 1 && o.gpus.length <= 1024 && o.gpus.every((i) => typeof i === 'number' && Number.isInteger(i) && i >= 0 && i <= 1024);
    if (!ok) throw new HoneError('BAD_REQUEST', `The GPUs must be a list of nvidia-smi indices (0, 1, ...), not ${JSON.stringify(o.gpus).slice(0, 100)}.`);
    out.gpus = [...(o.gpus as number[])];
  }
  if (o.gradientCheckpointing !== undefined && o.gradientCheckpointing !== null) {
    if (typeof o.gradientCheckpointing !== 'boolean') throw new HoneError('BAD_REQUEST', 'Gradient checkpointing must be true or false.');
    out.gradientCheckpointing = o.gradientCheckpointing;
  }
  return out;
}
