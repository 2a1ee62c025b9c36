/**
 * The fitting search: try configurations in the policy's order and keep the first that fits. Every
 * acceptance test is "estimate <= some share of the budget" (never more than the budget less its margin), so a
 * bigger card never gets a worse method.
 */
import type { ModelSpec } from '../../shared/types/model';
import type { Objective, TrainingMethod, VramBreakdown } from '../../shared/types/plan';
import { estimateMemory, type MemorySettings, type Optimizer } from './memory';
import { DEFAULTS } from './defaults';
import { usableGb } from './margin';

export interface Candidate {
  method: TrainingMethod;
  maxSeqLength: number;
  batchSize: number;
  gradientCheckpointing: boolean;
  optimizer: Optimizer;
  breakdown: VramBreakdown;
  totalGb: number;
}

export interface SearchInput {
  model: ModelSpec;
  device: 'cuda' | 'cpu';
  budgetGb: number;
  objective: Objective;
  /** Methods in order of preference; the first gets the headroom test when `headroomFirst` is set. */
  methods: TrainingMethod[];
  /** Auto mode: LoRA counts only if it leaves DEFAULTS.loraHeadroom of the budget free. */
  headroomFirst: boolean;
  seq: { value: number; fixed: boolean };
  batch: { value: number; fixed: boolean };
  loraRank: number;
  /** LoRA's target modules, by the names this architecture uses (catalog/params.ts targetModulesFor). */
  targetModules: readonly string[];
  gradientCheckpointing: boolean;
}

export function optimizerFor(method: TrainingMethod, device: 'cuda' | 'cpu'): Optimizer {
  // bitsandbytes' 8-bit AdamW needs CUDA; full fine-tuning keeps fp32 states (numerically safest).
  return device === 'cuda' && method !== 'full' ? 'adamw_8bit' : 'adamw_torch';
}

export function evaluate(input: SearchInput, method: TrainingMethod, maxSeqLength: number, batchSize: number): Candidate {
  const optimizer = optimizerFor(method, input.device);
  const settings: MemorySettings = {
    method,
    maxSeqLength,
    batchSize,
    loraRank: input.loraRank,
    targetModules: input.targetModules,
    gradientCheckpointing: input.gradientCheckpointing,
    optimizer,
    objective: input.objective,
    device: input.device,
  };
  const { totalGb, ...breakdown } = estimateMemory(input.model, settings);
  return { method, maxSeqLength, batchSize, gradientCheckpointing: input.gradientCheckpointing, optimizer, breakdown, totalGb };
}

function batches(b: { value: number; fixed: boolean }): number[] {
  if (b.fixed) return [b.value];
  const out: number[] = [];
  for (let x = b.value; x >= 1; x = Math.floor(x / 2)) out.push(x);
  return out;
}

function seqs(s: { value: number; fixed: boolean }): number[] {
  if (s.fixed) return [s.value];
  const out: number[] = [];
  for (let x = s.value; x >= DEFAULTS.minSeqLength; x = Math.floor(x / 2)) out.push(x);
  return out;
}

export interface SearchResult {
  chosen: Candidate | null;
  /** The cheapest configuration tried, to report when nothing fits. */
  cheapest: Candidate;
  /** What each preferred method would need at the starting settings, for the reasons. */
  firstTries: Candidate[];
}

export function search(input: SearchInput): SearchResult {
  const tried: Candidate[] = [];
  const firstTries = input.methods.map((m) => evaluate(input, m, input.seq.value, input.batch.value));
  const attempt = (method: TrainingMethod, seq: number, batch: number, limit: number): Candidate | null => {
    const c = evaluate(input, method, seq, batch);
    tried.push(c);
    return c.totalGb <= limit ? c : null;
  };
  // Nothing is accepted above the budget less its safety margin (margin.ts), LoRA's headroom included.
  const usable = usableGb(input.budgetGb, input.device);
  const room = Math.min(usable, input.budgetGb * (1 - DEFAULTS.loraHeadroom));
  const pick = (): Candidate | null => {
    // 1. Every method at the full sequence length, largest batch first, keeping headroom.
    for (const m of input.methods) for (const b of batches(input.batch)) {
      const c = attempt(m, input.seq.value, b, room);
      if (c) return c;
    }
    // 2. Without the headroom (in auto mode LoRA must keep it, so only the later methods get here), at
    //    the smallest batch: when the fit is tight, the batch is what gives some margin back.
    const rest = input.headroomFirst ? input.methods.slice(1) : input.methods;
    const smallest = batches(input.batch).at(-1)!;
    for (const m of rest) {
      const c = attempt(m, input.seq.value, smallest, usable);
      if (c) return c;
    }
    // 3. Shorter sequences, at the smallest batch, before giving up.
    const last = rest[rest.length - 1] ?? input.methods[0];
    for (const s of seqs(input.seq).slice(1)) {
      const c = attempt(last, s, smallest, usable);
      if (c) return c;
    }
    return null;
  };
  const chosen = pick();
  const cheapest = tried.reduce((a, b) => (b.totalGb < a.totalGb ? b : a));
  return { chosen, cheapest, firstTries };
}
