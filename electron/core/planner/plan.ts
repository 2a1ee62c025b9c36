/**
 * The planner: hardware + model + dataset statistics + overrides -> a training plan that fits, with a
 * reason for each choice. Pure: no I/O, so the CLI, the UI and the tests all get the same answer.
 */
import type { Hardware } from '../../shared/types/hardware';
import type { ModelSpec } from '../../shared/types/model';
import type { CpuSpeed, DatasetTokenStats, Plan, PlanChoice, PlanOverrides, TrainingMethod } from '../../shared/types/plan';
import { loraParams, targetModulesFor } from '../catalog/params';
import { budgetFor, fmtGb } from './budget';
import { cpuTime } from './cpu-time';
import { estimateMemory } from './memory';
import { chooseSeqLength, DEFAULTS, demoLearningRate, learningRate } from './defaults';
import * as text from './reasons';
import { formatDuration } from './eta';
import { search, type Candidate, type Estimator } from './search';
import { marginGb, marginReason } from './margin';
import { unslothAbove, unslothReason } from './unsloth-check';
import { planSeveral } from './multi-gpu';

export interface PlanInput {
  hardware: Hardware | null;
  model: ModelSpec;
  datasetStats?: DatasetTokenStats | null;
  overrides?: PlanOverrides;
  /** For the suggestion when nothing fits: the largest of these that would. */
  catalogue?: ModelSpec[];
  /**
   * How one process trains (set by multi-gpu.ts for a run over several processes): plain transformers' memory
   * model instead of Unsloth's, or FSDP's sharded estimate.
   */
  engine?: { backend?: 'unsloth' | 'plain'; estimate?: Estimator };
  /** This machine's measured CPU training speed (planner/calibration.ts); a stated default without it. */
  cpuSpeed?: CpuSpeed | null;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function gpuNotes(input: PlanInput, device: 'cuda' | 'cpu'): string[] {
  const gpu = input.hardware?.gpus.find((g) => g.index === input.hardware?.selectedGpu);
  if (device !== 'cuda' || !gpu?.computeCapability || input.overrides?.vramGb) return [];
  const cc = Number(gpu.computeCapability);
  if (cc >= 8) return [];
  return [`The ${gpu.name} (compute capability ${gpu.computeCapability}) has no bfloat16: training runs in float16.`];
}

/** The plan's core for one process; `computePlan` adds several processes and the suggestion when nothing fits. */
export function planOnce(input: PlanInput): Plan {
  const o = input.overrides ?? {};
  const objective = o.objective ?? 'sft';
  const budget = budgetFor(input.hardware, o);
  const model = input.model;
  const seq = chooseSeqLength(model, input.datasetStats, o.maxSeqLength);
  const rank = o.loraRank ?? DEFAULTS.loraRank;
  const cpu = budget.device === 'cpu';
  const gc = o.gradientCheckpointing ?? true;
  // bitsandbytes' 4-bit kernels need CUDA, so the CPU path trains LoRA (or full, if asked) in fp32.
  const auto = o.method === undefined;
  const methods: TrainingMethod[] = auto ? (cpu ? ['lora'] : ['lora', 'qlora']) : cpu && o.method === 'qlora' ? ['lora'] : [o.method!];
  const startBatch = o.batchSize ?? DEFAULTS.batchSize;
  const targetModules = targetModulesFor(model);
  const result = search({
    model,
    device: budget.device,
    budgetGb: budget.gb,
    objective,
    methods,
    headroomFirst: auto && !cpu,
    seq,
    batch: { value: startBatch, fixed: o.batchSize !== undefined },
    loraRank: rank,
    targetModules,
    gradientCheckpointing: gc,
    backend: input.engine?.backend,
    estimate: input.engine?.estimate,
  });
  const plainBackend = input.engine?.backend === 'plain';
  const c: Candidate = result.chosen ?? result.cheapest;
  // The demo learns its style within one short epoch on a CPU only with small optimiser steps (4 rows each).
  const gradAccum = o.gradAccum ?? (model.demo && cpu ? Math.max(1, Math.ceil(DEFAULTS.demoEffectiveBatch / c.batchSize)) : Math.max(1, Math.ceil(DEFAULTS.effectiveBatch / c.batchSize)));
  const time = cpu
    ? cpuTime({
        model,
        stats: input.datasetStats,
        overrides: o,
        hardware: input.hardware,
        speed: input.cpuSpeed,
        settings: {
          flops: { method: c.method, loraRank: rank, targetModules, gradientCheckpointing: gc, meanTokens: 0, objective },
          batchSize: c.batchSize,
          gradAccum,
          maxSeqLength: c.maxSeqLength,
        },
      })
    : null;
  const tooSlow = time?.tooSlow ?? false;
  const fits = result.chosen !== null && !tooSlow;

  const reasons = [...budget.reasons, ...gpuNotes(input, budget.device)];
  const why: Partial<Record<PlanChoice, string>> = {};
  const say = (choice: PlanChoice | null, text: string) => {
    reasons.push(text);
    if (choice) why[choice] = why[choice] ? `${why[choice]} ${text}` : text;
  };
  if (cpu && o.method === 'qlora') say('method', 'QLoRA needs CUDA (bitsandbytes 4-bit kernels): LoRA is planned instead.');
  if (result.chosen && cpu) {
    say('method', `${c.method === 'full' ? 'Full fine-tuning' : 'LoRA'} in fp32 on the CPU (plain transformers + PEFT): ${tooSlow ? 'it fits in memory, but takes too long (see the time estimate).' : `${model.name} fits in memory; the time estimate says how long it takes.`}`);
  } else if (fits) {
    say('method', text.methodReason(c, auto, budget.gb, result.firstTries));
  } else {
    say('method', `Does not fit: even ${text.METHOD_NAMES[c.method]} at batch ${c.batchSize} and ${c.maxSeqLength} tokens needs ${fmtGb(c.totalGb)}, more than the ${fmtGb(budget.gb)} budget less its safety margin allows.`);
    if (seq.fixed) say('max_seq_length', 'A shorter max_seq_length would need less: the one you set is kept as it is.');
    if (!gc) say('gradient_checkpointing', 'Turning gradient checkpointing back on would save memory.');
  }
  say('max_seq_length', seq.reason);
  if (c.maxSeqLength < seq.value) say('max_seq_length', text.seqShrinkReason(seq.value, c.maxSeqLength));
  say('batch', text.batchReason(c, startBatch, o.batchSize !== undefined, gradAccum, budget.device));
  say('lora', text.loraReason(model, rank, c.method));
  say('gradient_checkpointing', text.checkpointingReason(gc, budget.device, plainBackend ? 'plain' : 'unsloth'));
  say('optimizer', text.optimizerReason(c.optimizer));
  const dpo = text.objectiveReason(objective, c.method);
  if (dpo) say(null, dpo);
  say(null, marginReason(c.totalGb, budget.gb, budget.device));
  // Where Unsloth's own table asks for more than we estimate, say so: the run's memory check decides.
  const unsloth = budget.device === 'cuda' && fits && !plainBackend ? unslothAbove(model, c.method, c.totalGb) : null;
  if (unsloth) say(null, unslothReason(unsloth, c.method, c.totalGb));
  // The sidecar falls back to plain transformers when Unsloth cannot be imported; it needs to know whether
  // that would still fit, and the user is told here what it would cost.
  const plainGb = budget.device === 'cuda' && !plainBackend
    ? estimateMemory(model, { method: c.method, maxSeqLength: c.maxSeqLength, batchSize: c.batchSize, loraRank: rank, targetModules, gradientCheckpointing: gc, optimizer: c.optimizer, objective, device: 'cuda', backend: 'plain' }).totalGb
    : c.totalGb;
  if (budget.device === 'cuda' && fits && !plainBackend) say(null, text.plainFallbackReason(plainGb, budget.gb));
  if (time) say('eta', time.reason);
  if (model.demo && cpu) say(null, `Learning rate ${demoLearningRate(objective)}: bolder than LoRA's usual ${learningRate(c.method, objective)}, so the demo learns its style within one short epoch on this CPU.`);

  return {
    modelId: model.id,
    objective,
    method: c.method,
    load_in_4bit: c.method === 'qlora',
    max_seq_length: c.maxSeqLength,
    batch_size: c.batchSize,
    grad_accum: gradAccum,
    effective_batch: c.batchSize * gradAccum,
    lora_rank: rank,
    lora_alpha: rank,
    lora_dropout: DEFAULTS.loraDropout,
    target_modules: [...targetModules],
    gradient_checkpointing: gc,
    optimizer: c.optimizer,
    learning_rate: model.demo && cpu ? demoLearningRate(objective) : learningRate(c.method, objective),
    estimated_vram_gb: round2(c.totalGb),
    breakdown: {
      weightsGb: round2(c.breakdown.weightsGb),
      trainableGb: round2(c.breakdown.trainableGb),
      activationsGb: round2(c.breakdown.activationsGb),
      overheadGb: round2(c.breakdown.overheadGb),
    },
    vram_budget_gb: round2(budget.gb),
    headroom_gb: round2(budget.gb - c.totalGb),
    margin_gb: round2(marginGb(budget.gb, budget.device)),
    fits,
    reasons,
    why,
    suggestion: null,
    device: budget.device,
    gpu_index: budget.gpu?.index ?? null,
    lora_trainable_params: c.method === 'full' ? 0 : loraParams(model, rank, targetModules),
    plain_estimated_vram_gb: round2(plainGb),
    eta: time?.eta ?? null,
  };
}

export function computePlan(input: PlanInput): Plan {
  // Several GPUs or CPU processes: DDP or FSDP over them (multi-gpu.ts); one process otherwise.
  const once = (i: PlanInput) => planSeveral(i, planOnce) ?? planOnce(i);
  const plan = once(input);
  if (plan.fits || !input.catalogue?.length) return plan;
  // The largest catalogue model that fits the same card with the planner's own choices.
  const o = input.overrides;
  const overrides: PlanOverrides = { objective: o?.objective, vramGb: o?.vramGb, processes: o?.processes, gpus: o?.gpus, nodes: o?.nodes };
  const candidates = input.catalogue.filter((m) => m.id !== input.model.id).sort((a, b) => b.paramsB - a.paramsB);
  for (const m of candidates) {
    const p = once({ hardware: input.hardware, model: m, datasetStats: input.datasetStats, overrides: { ...overrides, maxSteps: o?.maxSteps, epochs: o?.epochs }, cpuSpeed: input.cpuSpeed });
    if (p.fits) {
      plan.suggestion = { modelId: m.id, name: m.name, method: p.method };
      plan.reasons.push(
        p.device === 'cpu' && p.eta
          ? `The largest catalogue model that trains here in under ${DEFAULTS.cpuMaxHours} h: ${m.name} (about ${formatDuration(p.eta.seconds)}).`
          : `The largest catalogue model that fits: ${m.name}, with ${text.METHOD_NAMES[p.method]} in ${fmtGb(p.estimated_vram_gb)}.`,
      );
      break;
    }
  }
  return plan;
}
