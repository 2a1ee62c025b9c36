export type TrainingMethod = 'qlora' | 'lora' | 'full';
export type Objective = 'sft' | 'dpo';

export interface DatasetTokenStats {
  rows: number;
  meanTokens: number;
  p95Tokens: number;
  maxTokens: number;
}

/** This machine's training speed on the CPU, as the sidecar measured it (or a stated default). */
export interface CpuSpeed {
  /** Sustained FLOP/s of a LoRA training step in fp32. */
  flopsPerSecond: number;
  /** False for the default used before the machine was measured. */
  measured: boolean;
  /** What was measured, in words, for the reasons ("LoRA steps on a SmolLM2-135M-shaped model, 2 threads"). */
  how: string;
  measuredAt?: string;
}

/** How long a planned run takes (CPU plans). */
export interface PlanEta {
  /** Everything: loading, the training loop, saving. */
  seconds: number;
  trainingSeconds: number;
  steps: number;
  /** Tokens the run computes on, padding included. */
  tokens: number;
  flopsPerToken: number;
  flopsPerSecond: number;
  measured: boolean;
}

export interface PlanOverrides {
  method?: TrainingMethod;
  maxSeqLength?: number;
  batchSize?: number;
  gradAccum?: number;
  loraRank?: number;
  gradientCheckpointing?: boolean;
  /** Plan for a card of this size instead of the detected one. */
  vramGb?: number;
  objective?: Objective;
  /**
   * Several training processes (issue #15). On a machine without an NVIDIA GPU: this many CPU processes (DDP over
   * gloo). With GPUs and no `gpus`: the first this-many trainable cards.
   */
  processes?: number;
  /** The nvidia-smi indices of the cards to train on together (2 or more); wins over the Hardware step's choice. */
  gpus?: number[];
  /** Machines in a multi-node run (`hone train --nodes N --print-launch`): each runs `processes` ranks. */
  nodes?: number;
  /** The run's length, for the time estimate: optimiser steps, or epochs (1 when neither is given). */
  maxSteps?: number;
  epochs?: number;
}

export type PlanChoice = 'method' | 'max_seq_length' | 'batch' | 'lora' | 'gradient_checkpointing' | 'optimizer' | 'strategy' | 'eta';

/**
 * How a run is spread over several processes (issue #15; planner/multi-gpu.ts). Absent or null: one process.
 * - ddp: every process holds the whole model and trains its own micro-batches (the model fits one card).
 * - fsdp: weights, gradients and optimiser states are sharded over the processes (it does not).
 */
export interface DistributedPlan {
  strategy: 'ddp' | 'fsdp';
  /** Processes (ranks) per machine: one per GPU, or CPU processes. */
  processes: number;
  /** Machines; the run has processes x nodes ranks. */
  nodes: number;
  /** The cards on this machine, in rank order (nvidia-smi indices); empty for CPU processes. */
  gpu_indices: number[];
  /** What trains it: plain transformers + PEFT (Unsloth 2025.11.4 refuses multi-GPU runs). */
  backend: 'plain';
  mixed_precision: 'bf16' | 'fp16' | 'no';
  /** FSDP's settings, written into the accelerate config. */
  fsdp: { sharding: 'FULL_SHARD'; wrap: string; offload_params: boolean } | null;
  /** The smallest card's budget (each process gets it), or each CPU process's share of the RAM. */
  budget_per_process_gb: number;
  /** The one-sentence why, also in reasons and why.strategy. */
  reason: string;
}

export interface VramBreakdown {
  weightsGb: number;
  /** LoRA weights + optimiser states + gradients (or full ones for full fine-tuning). */
  trainableGb: number;
  activationsGb: number;
  overheadGb: number;
}

export interface Plan {
  modelId: string;
  objective: Objective;
  method: TrainingMethod;
  load_in_4bit: boolean;
  max_seq_length: number;
  batch_size: number;
  grad_accum: number;
  effective_batch: number;
  lora_rank: number;
  lora_alpha: number;
  lora_dropout: number;
  target_modules: string[];
  gradient_checkpointing: boolean;
  optimizer: string;
  learning_rate: number;
  estimated_vram_gb: number;
  breakdown: VramBreakdown;
  /** VRAM the plan was made against (free VRAM of the chosen card, or --vram-gb). */
  vram_budget_gb: number;
  headroom_gb: number;
  /**
   * The safety margin kept below the budget (planner/margin.ts): a plan fits only when its estimate is at or
   * under vram_budget_gb - margin_gb, and the run's memory check holds the measured peak to the same rule.
   * Absent in plans made before the margin existed.
   */
  margin_gb?: number;
  fits: boolean;
  /** Human-readable reasons, one per decision. */
  reasons: string[];
  /** The reason behind each setting, for showing beside it (the same sentences as in `reasons`). */
  why?: Partial<Record<PlanChoice, string>>;
  /** When nothing fits: the largest catalogue model that would fit this card. */
  suggestion?: { modelId: string; name: string; method: TrainingMethod } | null;
  /** 'cpu' when there is no CUDA GPU: small models train there, in the time `eta` says. */
  device: 'cuda' | 'cpu';
  /**
   * nvidia-smi index of the GPU the plan was made for: the sidecar is started with CUDA_VISIBLE_DEVICES set
   * to it. null for a CPU plan (the sidecar then sees no GPU) and for a card named by size.
   */
  gpu_index?: number | null;
  /** LoRA parameters target_modules train in this model (0 for full fine-tuning); the sidecar checks it. */
  lora_trainable_params?: number;
  /**
   * The same settings' estimate for plain transformers + PEFT, the sidecar's fallback when Unsloth is not
   * available: a fallback that would not fit is refused rather than run out of memory.
   */
  plain_estimated_vram_gb?: number;
  /**
   * Several processes: the strategy and its settings. Memory figures above are per process (per GPU); the
   * effective batch counts every process (batch_size x grad_accum x processes x nodes).
   */
  distributed?: DistributedPlan | null;
  /** CPU plans with a dataset: how long the run takes on this machine. */
  eta?: PlanEta | null;
}
