/**
 * Peak-VRAM model for one training step. Pure arithmetic over a model's shapes; every constant says
 * where it comes from. Units: GiB (2^30 bytes), the unit nvidia-smi's MiB figures turn into, so a
 * "24 GB" card is the 24 GiB budget this is compared against.
 *
 * Sources:
 * - [QLoRA] Dettmers et al. 2023, "QLoRA: Efficient Finetuning of Quantized LLMs", §2: NF4 stores 4 bits per
 *   weight plus one 8-bit absmax per 64-weight block and (double quantisation) one fp32 constant per 256
 *   blocks: 4 + 8/64 + 32/(64*256) = 4.127 bits. bitsandbytes quantises only the decoder's Linear layers:
 *   embeddings, the LM head and norms stay in 16 bits.
 * - [8bitAdam] Dettmers et al. 2022, "8-bit Optimizers via Block-wise Quantization": AdamW's two states in
 *   1 byte each (2 bytes/param) instead of 8.
 * - [ZeRO] Rajbhandari et al. 2020, §3: mixed-precision Adam holds 2 (bf16 weights) + 2 (grads) + 4 (fp32
 *   master) + 8 (fp32 m and v) = 16 bytes per trainable parameter.
 * - [Korthikanti] Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer
 *   Models", §4: activations saved per layer per token are a small multiple of the hidden and MLP widths;
 *   with FlashAttention (which Unsloth uses) the seq² attention scores are not stored. We count the tensors
 *   a SwiGLU decoder layer saves for backward: layer input, two norm outputs, residual (4h), q and
 *   attention output (2 * heads*headDim), k and v (2 * kvHeads*headDim), gate, up, act(gate), product (4i).
 * - [Unsloth GC] Unsloth's `use_gradient_checkpointing="unsloth"` keeps one checkpoint per layer and
 *   offloads it to system RAM asynchronously (unsloth.ai blog "Long-context" / docs), so GPU holds only
 *   the layers in flight plus one layer's recompute.
 * - [Unsloth CE] Unsloth computes the cross-entropy loss with its own kernel on the 16-bit logits and
 *   writes the gradient in place: 2 bytes per logit instead of transformers' fp32 upcast (4 + 4).
 * - [CUDA ctx] A CUDA context with PyTorch's kernels loaded lazily (CUDA_MODULE_LOADING=LAZY, the default
 *   since CUDA 11.7) takes about 0.3–0.5 GiB; cuBLAS workspaces and Triton's kernels add a little more.
 *   We use 0.6 GiB, inside the 0.5–1 GB commonly measured.
 * - [Plain path] Without Unsloth (plain transformers + PEFT on CUDA, the sidecar's fallback), torch's
 *   non-reentrant checkpointing keeps each layer's input on the GPU (one hidden-size tensor per layer, none
 *   offloaded), and transformers' loss upcasts the logits to fp32 and keeps their gradient: 4 + 4 bytes
 *   per logit. For Llama 3 at 2048 tokens x batch 2 that is ~4 GB of logits alone, against ~0.5 GB with Unsloth.
 * - [Unsloth table] unsloth.ai/docs, "Unsloth Requirements" (fine-tuning VRAM by model size, QLoRA and
 *   LoRA): planner/unsloth-table.ts holds it and a test keeps these estimates within ±20% of it.
 */
import type { ModelArchitecture } from '../../shared/types/model';
import type { Objective, TrainingMethod, VramBreakdown } from '../../shared/types/plan';
import { countParams, headDimOf, linearShapes, loraParams } from '../catalog/params';

export const GIB = 1024 ** 3;

/** [QLoRA] 4.127 bits per quantised weight. */
export const NF4_BYTES_PER_PARAM = (4 + 8 / 64 + 32 / (64 * 256)) / 8;
export const BF16_BYTES = 2;
/** [CUDA ctx] */
export const CUDA_CONTEXT_GIB = 0.6;
/**
 * PyTorch's caching allocator keeps freed blocks for reuse and rounds blocks up, so what it reserves runs
 * above what is live (PyTorch docs, "CUDA memory management": memory_reserved vs memory_allocated).
 */
export const ALLOCATOR_SLACK = 0.08;

export type Optimizer = 'adamw_8bit' | 'adamw_torch';

export interface MemorySettings {
  method: TrainingMethod;
  maxSeqLength: number;
  batchSize: number;
  loraRank: number;
  targetModules: readonly string[];
  gradientCheckpointing: boolean;
  optimizer: Optimizer;
  objective: Objective;
  /** 'cuda' uses Unsloth's kernels in 16 bits; 'cpu' is the plain transformers path in fp32. */
  device: 'cuda' | 'cpu';
  /** On CUDA: 'unsloth' (the default) or 'plain', the fallback when Unsloth is unavailable ([Plain path]). */
  backend?: 'unsloth' | 'plain';
}

/** Whether Unsloth's kernels (offloaded checkpoints, 16-bit loss) are in play. */
const unslothKernels = (s: MemorySettings) => s.device === 'cuda' && s.backend !== 'plain';

/** Bytes per trainable parameter: the weights, their gradients and the optimiser's states. */
export function bytesPerTrainableParam(method: TrainingMethod, optimizer: Optimizer): number {
  const optimiserStates = optimizer === 'adamw_8bit' ? 2 : 8; // [8bitAdam]
  if (method === 'full') return BF16_BYTES + 4 + optimiserStates; // [ZeRO] grads + fp32 master + states; the bf16 weights are in weightsGb
  return 4 + 4 + optimiserStates; // LoRA A/B are kept in fp32 (PEFT autocasts adapters), with fp32 grads
}

/** The CPU path trains in fp32: PyTorch's CPU kernels are slow or missing in 16 bits. */
const dtypeBytes = (s: Pick<MemorySettings, 'device'>) => (s.device === 'cpu' ? 4 : BF16_BYTES);

function weightsBytes(a: ModelArchitecture, s: MemorySettings): number {
  const p = countParams(a);
  const method = s.method;
  // `other` is mostly vision towers (Gemma 3, Llama Vision), whose Linear layers bitsandbytes quantises too.
  if (method === 'qlora') return (p.linear + p.other) * NF4_BYTES_PER_PARAM + (p.embedding + p.lmHead) * BF16_BYTES;
  return p.total * dtypeBytes(s);
}

function trainableBytes(a: ModelArchitecture, s: MemorySettings): number {
  const n = s.method === 'full' ? countParams(a).total : loraParams(a, s.loraRank, s.targetModules);
  return n * bytesPerTrainableParam(s.method, s.optimizer);
}

/** Values one decoder layer saves per token for backward ([Korthikanti], SwiGLU, FlashAttention). */
export function savedValuesPerTokenPerLayer(a: ModelArchitecture): number {
  const hd = headDimOf(a);
  return 4 * a.hiddenSize + 2 * a.heads * hd + 2 * a.kvHeads * hd + 4 * a.intermediateSize;
}

function activationBytes(a: ModelArchitecture, s: MemorySettings): number {
  // DPO runs the chosen and the rejected answer of every pair through the model together.
  const tokens = s.batchSize * s.maxSeqLength * (s.objective === 'dpo' ? 2 : 1);
  const bytes = dtypeBytes(s);
  const layer = tokens * savedValuesPerTokenPerLayer(a) * bytes;
  // Backward through one layer needs its saved tensors and about as much again for their gradients.
  const working = 2 * layer;
  let stored: number;
  if (!s.gradientCheckpointing) stored = a.layers * layer;
  else if (unslothKernels(s)) stored = 2 * tokens * a.hiddenSize * bytes; // [Unsloth GC]: two checkpoints in flight
  else stored = a.layers * tokens * a.hiddenSize * bytes; // [Plain path]
  const logitBytes = unslothKernels(s) ? BF16_BYTES : 4 + 4; // [Unsloth CE] vs fp32 logits and their gradient
  const logits = tokens * a.vocabSize * logitBytes;
  return stored + working + logits;
}

function overheadBytes(a: ModelArchitecture, s: MemorySettings, live: number): number {
  const context = s.device === 'cuda' ? CUDA_CONTEXT_GIB * GIB : 0;
  // QLoRA dequantises one projection at a time into a 16-bit buffer for the matmul.
  const dequant = s.method === 'qlora' ? Math.max(...Object.values(linearShapes(a)).map(([i, o]) => i * o)) * BF16_BYTES : 0;
  return context + dequant + live * ALLOCATOR_SLACK;
}

const gib = (bytes: number) => bytes / GIB;

/** Peak VRAM of one training step, by part, in GiB. */
export function estimateMemory(a: ModelArchitecture, s: MemorySettings): VramBreakdown & { totalGb: number } {
  const weights = weightsBytes(a, s);
  const trainable = trainableBytes(a, s);
  const activations = activationBytes(a, s);
  const overhead = overheadBytes(a, s, weights + trainable + activations);
  const breakdown = { weightsGb: gib(weights), trainableGb: gib(trainable), activationsGb: gib(activations), overheadGb: gib(overhead) };
  return { ...breakdown, totalGb: breakdown.weightsGb + breakdown.trainableGb + breakdown.activationsGb + breakdown.overheadGb };
}
