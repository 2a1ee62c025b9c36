/**
 * A plan for when the planner (electron/core/planner) cannot be asked: a small LoRA on the CPU, which is
 * what the tiny demo model trains with. `hone train` uses the planner's plan whenever one is available.
 * TODO(planner): drop this once every caller goes through the planner's computePlan.
 */
import { ALL_LINEAR_MODULES } from '../catalog/params';
import type { Objective, Plan } from '../../shared/types/plan';

export function minimalCpuPlan(modelId: string, objective: Objective, maxPositions = 1024): Plan {
  const seq = Math.min(512, maxPositions);
  return {
    modelId,
    objective,
    method: 'lora',
    load_in_4bit: false,
    max_seq_length: seq,
    batch_size: 4,
    grad_accum: 1,
    effective_batch: 4,
    lora_rank: 16,
    lora_alpha: 16,
    lora_dropout: 0,
    target_modules: [...ALL_LINEAR_MODULES],
    gradient_checkpointing: false,
    optimizer: 'adamw_torch',
    // A randomly initialised tiny model needs a bolder step than a pretrained one to show learning in minutes.
    learning_rate: objective === 'dpo' ? 5e-4 : 2e-3,
    estimated_vram_gb: 0,
    breakdown: { weightsGb: 0, trainableGb: 0, activationsGb: 0, overheadGb: 0 },
    vram_budget_gb: 0,
    headroom_gb: 0,
    fits: true,
    reasons: ['CPU: LoRA in 32-bit floats, batch 4, no gradient checkpointing (demo-size models only).'],
    suggestion: null,
    device: 'cpu',
  };
}
