/**
 * Planning a run over several processes (issue #15): several GPUs of this machine, several machines (printed for
 * the user's scheduler), or several CPU processes (how the multi-GPU path is tested without a GPU).
 *
 * - DDP when the model fits one card: every process holds the whole model and trains its own micro-batches, so
 *   throughput grows about N times at the same memory per card; the effective batch becomes
 *   batch x accumulation x N, and the learning rate is kept (the per-card settings are the single-card plan's,
 *   so what the user saw for one card still describes each card).
 * - FSDP when it does not (with QLoRA where even sharded 16-bit weights do not fit): weights, gradients and
 *   optimiser states are sharded over the N processes (ZeRO-3); each card holds its 1/N, the root module
 *   (embeddings, head) and the layer being computed gathered in full, and its own activations. When that is still
 *   too much, the shards live in host RAM (FSDP's CPU offload; the Answer.AI recipe for 70B on two 24 GB cards).
 *
 * Every process gets the smallest chosen card's budget: FSDP and DDP run in lock step, so the fullest card is the
 * one that runs out. Multi-GPU runs train with plain transformers + PEFT: unsloth 2025.11.4's patched trainer
 * raises "Unsloth currently does not support multi GPU setups" once more than one card holds memory (read in its
 * wheel, tokenizer_utils.py), and has no FSDP path; the plan's estimates are the plain path's.
 */
import { HoneError } from '../../shared/errors';
import type { Gpu, Hardware } from '../../shared/types/hardware';
import type { ModelArchitecture } from '../../shared/types/model';
import type { DistributedPlan, Plan } from '../../shared/types/plan';
import { countParams } from '../catalog/params';
import { isTrainable } from '../hardware/normalise';
import { fmtGb } from './budget';
import { ALLOCATOR_SLACK, BF16_BYTES, estimateMemory, GIB, NF4_BYTES_PER_PARAM, type MemorySettings } from './memory';
import type { PlanInput } from './plan';
import { optimizerReason } from './reasons';
import type { Estimator } from './search';

/** What the processes run on. */
export type Several =
  | { kind: 'gpus'; gpus: Gpu[]; nodes: number }
  /** Cards named by size (`--vram-gb 24 --processes 2`), not this machine's. */
  | { kind: 'sized'; processes: number; nodes: number }
  | { kind: 'cpu'; processes: number; nodes: number };

export const processesOf = (s: Several) => (s.kind === 'gpus' ? s.gpus.length : s.processes);
const worldOf = (s: Several) => processesOf(s) * s.nodes;

/** The processes a plan is for, or null for a single process. */
export function severalOf(hardware: Hardware | null, o: PlanInput['overrides']): Several | null {
  const nodes = o?.nodes ?? 1;
  if (o?.vramGb) {
    const processes = o.processes ?? o.gpus?.length ?? 1;
    return processes * nodes > 1 ? { kind: 'sized', processes, nodes } : null;
  }
  const trainable = (hardware?.gpus ?? []).filter(isTrainable);
  if (o?.gpus?.length) {
    const gpus = o.gpus.map((i) => {
      const g = hardware?.gpus.find((x) => x.index === i);
      if (!g) throw new HoneError('BAD_REQUEST', `There is no GPU ${i}.`, `Pick from: ${hardware?.gpus.map((x) => `${x.index} (${x.name})`).join(', ') || 'none found (nvidia-smi sees no card)'}.`);
      if (!isTrainable(g)) throw new HoneError('UNSUPPORTED_GPU', `Hone cannot train on ${g.name} (GPU ${i}).`, 'Leave it out of --gpus.');
      return g;
    });
    if (new Set(o.gpus).size !== o.gpus.length) throw new HoneError('BAD_REQUEST', `A GPU is named twice in ${o.gpus.join(',')}.`);
    if (o.processes !== undefined && o.processes !== gpus.length) throw new HoneError('BAD_REQUEST', `${o.processes} processes for ${gpus.length} GPUs: a multi-GPU run has one process per card.`, 'Give --gpus alone.');
    return gpus.length * nodes > 1 ? { kind: 'gpus', gpus, nodes } : null;
  }
  if (o?.processes !== undefined) {
    if (!trainable.length) return o.processes * nodes > 1 ? { kind: 'cpu', processes: o.processes, nodes } : null;
    if (o.processes > trainable.length) throw new HoneError('BAD_REQUEST', `${o.processes} processes, but this machine has ${trainable.length} NVIDIA GPU${trainable.length === 1 ? '' : 's'} Hone can train on.`, 'One process per GPU: ask for fewer, or name the cards with --gpus.');
    const gpus = [...trainable].sort((a, b) => a.index - b.index).slice(0, o.processes);
    return gpus.length * nodes > 1 ? { kind: 'gpus', gpus, nodes } : null;
  }
  const picked = hardware?.selectedGpus;
  if (picked && picked.length > 1) {
    const gpus = picked.map((i) => trainable.find((g) => g.index === i)).filter((g): g is Gpu => !!g);
    if (gpus.length > 1) return { kind: 'gpus', gpus, nodes };
  }
  if (nodes > 1) {
    const one = trainable.find((g) => g.index === hardware?.selectedGpu);
    return one ? { kind: 'gpus', gpus: [one], nodes } : { kind: 'cpu', processes: 1, nodes };
  }
  return null;
}

const free = (g: Gpu) => g.vramFreeMb ?? g.vramTotalMb;

/** Bytes of one decoder layer's weights as stored (4-bit for QLoRA, else 16-bit). */
function layerBytes(a: ModelArchitecture, method: MemorySettings['method']): number {
  const p = countParams(a);
  const perLayer = (p.linear + p.other) / a.layers;
  return perLayer * (method === 'qlora' ? NF4_BYTES_PER_PARAM : BF16_BYTES);
}

/** The root FSDP unit (embeddings, the head, the final norm): gathered for the whole forward and backward. */
function rootBytes(a: ModelArchitecture): number {
  const p = countParams(a);
  return (p.embedding + p.lmHead) * BF16_BYTES;
}

/**
 * One FSDP process's peak, from the memory model: its 1/world of the weights (beyond the root unit) and of the
 * trainable states, the root unit and two decoder layers gathered in full (the one computing and the one being
 * prefetched), its own activations, and the same overhead rule. With `offload` the shards stay in host RAM.
 * The optimiser is PyTorch's AdamW (FSDP-QLoRA's recipe; the states are sharded, so their size matters less).
 */
export function shardedEstimate(world: number, offload: boolean): Estimator {
  return (a, s) => {
    const whole = estimateMemory(a, { ...s, optimizer: 'adamw_torch', backend: 'plain' });
    const root = rootBytes(a) / GIB;
    const gathered = root + (2 * layerBytes(a, s.method)) / GIB;
    const weightsGb = (offload ? 0 : Math.max(0, whole.weightsGb - root) / world) + gathered;
    const trainableGb = offload ? 0 : whole.trainableGb / world;
    const live = weightsGb + trainableGb + whole.activationsGb;
    // The overhead is the context, QLoRA's dequantisation buffer and the allocator's slack over what is live.
    const fixed = whole.overheadGb - (whole.weightsGb + whole.trainableGb + whole.activationsGb) * ALLOCATOR_SLACK;
    const overheadGb = fixed + live * ALLOCATOR_SLACK;
    return { weightsGb, trainableGb, activationsGb: whole.activationsGb, overheadGb, totalGb: live + overheadGb };
  };
}

/** The decoder layer class FSDP wraps one unit around (transformers' naming: LlamaForCausalLM -> LlamaDecoderLayer). */
export function wrapClassFor(architecture: string): string {
  return `${architecture.replace(/For(CausalLM|ConditionalGeneration)$/, '')}DecoderLayer`;
}

function mixedPrecision(s: Several): DistributedPlan['mixed_precision'] {
  if (s.kind === 'cpu') return 'no';
  if (s.kind === 'sized') return 'bf16';
  return s.gpus.every((g) => !g.computeCapability || Number(g.computeCapability) >= 8) ? 'bf16' : 'fp16';
}

function describe(s: Several): string {
  const nodes = s.nodes > 1 ? ` on each of ${s.nodes} machines (${worldOf(s)} processes in all)` : '';
  if (s.kind === 'cpu') return `${s.processes} CPU process${s.processes === 1 ? '' : 'es'}${nodes}`;
  if (s.kind === 'sized') return `${s.processes} GPU${s.processes === 1 ? '' : 's'}${nodes}`;
  return `${s.gpus.length} GPU${s.gpus.length === 1 ? '' : 's'} (${s.gpus.map((g) => g.index).join(', ')})${nodes}`;
}

/** The single-process planner; passed in so this file does not import plan.ts's runtime. */
export type PlanOne = (input: PlanInput) => Plan;

/** A plan over several processes, or null when the input asks for one process. */
export function planSeveral(input: PlanInput, planOne: PlanOne): Plan | null {
  const several = severalOf(input.hardware, input.overrides);
  if (!several) return null;
  const o = { ...input.overrides };
  delete o.processes;
  delete o.gpus;
  delete o.nodes;
  const world = worldOf(several);
  let hardware: Hardware | null = input.hardware;
  let budgetNote: string;
  if (several.kind === 'gpus') {
    const smallest = several.gpus.reduce((a, b) => (free(b) < free(a) ? b : a));
    hardware = { ...input.hardware!, selectedGpu: smallest.index, selectedGpus: undefined };
    const same = new Set(several.gpus.map((g) => g.name)).size === 1;
    budgetNote = same ? `${several.gpus.length} x ${smallest.name}` : `the smallest card's budget (GPU ${smallest.index}, ${smallest.name}, ${fmtGb(free(smallest) / 1024)} free)`;
  } else if (several.kind === 'cpu') {
    // Each process holds the whole model: they share the machine's RAM.
    const ram = input.hardware?.ramFreeMb ?? 0;
    hardware = input.hardware ? { ...input.hardware, ramFreeMb: Math.floor(ram / several.processes) } : null;
    budgetNote = `${fmtGb(ram / 1024)} of free RAM shared by ${several.processes} processes`;
  } else {
    budgetNote = `${several.processes} cards of ${fmtGb(o.vramGb!)}`;
  }
  const base: PlanInput = { ...input, hardware, overrides: o };
  const ddp = planOne({ ...base, engine: { backend: 'plain' } });
  if (several.kind === 'cpu' || ddp.fits) return finish(ddp, 'ddp', several, base, budgetNote, null);
  // The model does not fit one card: shard it.
  const sharded = planOne({ ...base, engine: { backend: 'plain', estimate: shardedEstimate(world, false) } });
  if (sharded.fits) return finish(sharded, 'fsdp', several, base, budgetNote, { offload: false, single: ddp });
  const offload = shardedEstimate(world, true);
  let offloaded = planOne({ ...base, engine: { backend: 'plain', estimate: offload } });
  // Host RAM is this machine's only when the cards are (cards named by size say nothing about the RAM).
  const ramGb = several.kind === 'gpus' && input.hardware ? input.hardware.ramFreeMb / 1024 : Infinity;
  let hostGb = offloaded.fits ? hostRamForOffload(input, offloaded) : 0;
  if (offloaded.fits && hostGb > ramGb && offloaded.method === 'lora' && o.method === undefined) {
    // 16-bit shards fit the cards but not the RAM that holds them: 4-bit ones may.
    offloaded = planOne({ ...base, overrides: { ...o, method: 'qlora' }, engine: { backend: 'plain', estimate: offload } });
    hostGb = offloaded.fits ? hostRamForOffload(input, offloaded) : 0;
  }
  if (offloaded.fits && hostGb <= ramGb) {
    return finish(offloaded, 'fsdp', several, base, budgetNote, { offload: true, single: ddp, hostGb });
  }
  const failed = finish(sharded, 'fsdp', several, base, budgetNote, { offload: false, single: ddp });
  if (offloaded.fits) failed.reasons.push(`With its shards in host RAM (FSDP's CPU offload) it would fit the cards, but needs about ${fmtGb(hostGb)} of RAM and ${fmtGb(ramGb)} is free.`);
  return failed;
}

/** Host RAM the offloaded shards need on each machine: its processes' shares of the weights and trainable states. */
function hostRamForOffload(input: PlanInput, p: Plan): number {
  const whole = estimateMemory(input.model, {
    method: p.method, maxSeqLength: p.max_seq_length, batchSize: p.batch_size, loraRank: p.lora_rank, targetModules: p.target_modules,
    gradientCheckpointing: p.gradient_checkpointing, optimizer: 'adamw_torch', objective: p.objective, device: 'cuda', backend: 'plain',
  });
  const nodes = input.overrides?.nodes ?? 1;
  return (whole.weightsGb + whole.trainableGb) / nodes + 2;
}

interface FsdpInfo {
  offload: boolean;
  /** The single-card (DDP) plan that did not fit, for the reason. */
  single: Plan;
  hostGb?: number;
}

function finish(p: Plan, strategy: 'ddp' | 'fsdp', s: Several, input: PlanInput, budgetNote: string, fsdp: FsdpInfo | null): Plan {
  const world = worldOf(s);
  const n = processesOf(s);
  const gb = (v: number) => (v < 0.1 ? `${Math.max(1, Math.round(v * 1024))} MB` : fmtGb(v));
  const reasons = [...p.reasons];
  const why = { ...p.why };
  const say = (key: keyof NonNullable<Plan['why']> | null, line: string) => {
    reasons.push(line);
    if (key) why[key] = why[key] ? `${why[key]} ${line}` : line;
  };
  const effective = p.batch_size * p.grad_accum * world;
  let reason: string;
  if (s.kind === 'cpu') {
    reason = `${describe(s)}, data parallel (DDP over gloo): each process holds the whole model (about ${gb(p.estimated_vram_gb)}) and trains its own rows; ${budgetNote}. On the CPU this checks the multi-GPU path rather than speeding training up: the processes share the same cores.`;
  } else if (strategy === 'ddp') {
    reason = `DDP over ${describe(s)}: the model fits one card, so every card holds a full copy and trains its own micro-batches, about ${world}x the throughput of one card at the same ${gb(p.estimated_vram_gb)} per card (${budgetNote}).`;
  } else {
    const single = fsdp!.single;
    const b = p.breakdown;
    const held = fsdp!.offload
      ? `the shards of the weights, gradients and optimiser states stay in host RAM (about ${gb(fsdp!.hostGb ?? 0)} on each machine) and each card holds only the embeddings and head, the layer being computed (gathered in full) and its activations: ${gb(p.estimated_vram_gb)} per card, slower (every layer crosses PCIe each step)`
      : `each card holds 1/${world} of the weights, gradients and optimiser states plus the embeddings, head and the layer being computed gathered in full (${gb(b.weightsGb + b.trainableGb)}), and its own activations (${gb(b.activationsGb)}): ${gb(p.estimated_vram_gb)} per card`;
    reason = `FSDP over ${describe(s)}: one card cannot hold this model (even ${single.method === 'qlora' ? 'QLoRA' : single.method === 'lora' ? 'LoRA' : 'full fine-tuning'} needs ${gb(single.estimated_vram_gb)} against ${gb(single.vram_budget_gb)}), so ${held} (${budgetNote}).`;
  }
  say('strategy', reason);
  if (s.kind !== 'cpu') say('strategy', 'Multi-GPU runs train with plain transformers + PEFT: Unsloth 2025.11.4 stops a run once more than one card holds memory ("Unsloth currently does not support multi GPU setups"), so these estimates are the plain path\'s.');
  if (s.nodes > 1) say('strategy', `Multi-node: Hone writes the accelerate config and the command for each of the ${s.nodes} machines (hone train --nodes ${s.nodes} --print-launch) for your scheduler to run; it does not start them itself. Rank 0 prints Hone's events; the model, the data and the output folder must be at the same paths on every machine.`);
  say('batch', `With ${world} processes each optimiser step sees ${p.batch_size} (per process) x ${p.grad_accum} (accumulation) x ${world} (processes) = ${effective} sequences; the learning rate stays ${p.learning_rate}, as for one process.`);
  let optimizer = p.optimizer;
  if (strategy === 'fsdp' && optimizer !== 'adamw_torch') {
    optimizer = 'adamw_torch';
    why.optimizer = `${optimizerReason(optimizer)} Under FSDP the states are sharded over the cards, and bitsandbytes' 8-bit AdamW is not part of the FSDP-QLoRA recipe.`;
    const i = reasons.findIndex((r) => r.startsWith('AdamW 8-bit'));
    if (i >= 0) reasons[i] = why.optimizer;
  }
  const distributed: DistributedPlan = {
    strategy,
    processes: n,
    nodes: s.nodes,
    gpu_indices: s.kind === 'gpus' ? s.gpus.map((g) => g.index) : [],
    backend: 'plain',
    mixed_precision: mixedPrecision(s),
    fsdp: strategy === 'fsdp' ? { sharding: 'FULL_SHARD', wrap: wrapClassFor(input.model.architecture), offload_params: fsdp!.offload } : null,
    budget_per_process_gb: p.vram_budget_gb,
    reason,
  };
  return {
    ...p,
    optimizer,
    effective_batch: effective,
    reasons,
    why,
    gpu_index: s.kind === 'gpus' ? s.gpus[0].index : p.gpu_index,
    plain_estimated_vram_gb: p.estimated_vram_gb,
    distributed,
  };
}
