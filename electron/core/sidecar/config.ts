/**
 * The one mapping from the app's camelCase RunConfig + the planner's Plan to the sidecar's snake_case run
 * config (#/definitions/runConfig in protocol.schema.json). The runs service and `hone train` both use it.
 */
import type { Plan } from '../../shared/types/plan';
import type { RunConfig } from '../../shared/types/runs';

/** The planner's fields travel under the same snake_case names the sidecar reads. */
type PlanFields = Pick<
  Plan,
  | 'objective'
  | 'method'
  | 'load_in_4bit'
  | 'max_seq_length'
  | 'batch_size'
  | 'grad_accum'
  | 'lora_rank'
  | 'lora_alpha'
  | 'lora_dropout'
  | 'target_modules'
  | 'gradient_checkpointing'
  | 'optimizer'
  | 'learning_rate'
>;

export interface SidecarRunConfig extends PlanFields {
  model_path: string;
  dataset_path: string;
  eval_dataset_path: string | null;
  output_dir: string;
  max_steps: number | null;
  epochs: number | null;
  seed: number;
  save_steps?: number;
  eval_steps?: number | null;
  logging_steps: number;
  merge: boolean;
  resume_from_checkpoint: string | null;
  backend: 'auto' | 'unsloth' | 'plain';
  /** The plan's figures for the decisions the sidecar makes on the GPU (see protocol.schema.json). */
  estimated_vram_gb: number | null;
  plain_estimated_vram_gb: number | null;
  vram_budget_gb: number | null;
  planned_trainable_params: number | null;
  /** The memory check's options (issue #16); null: no check. See memoryCheckWanted. */
  memory_probe?: { steps?: number } | null;
  [extra: string]: unknown;
}

export interface SidecarPaths {
  /** The model folder the sidecar loads (see electron/core/demo/resolve-model.ts). */
  modelPath: string;
  /** Normalised JSONL (after import); defaults to config.dataset. */
  datasetPath?: string;
  evalDatasetPath?: string | null;
  outputDir: string;
  /** 'latest' or a checkpoint folder when resuming. */
  resumeFrom?: string | null;
}

/**
 * Whether the run opens with the memory check: every GPU run (unless skipped), a CPU run only with a budget
 * to check against (the CPU has no card to overflow; the check there proves the loop). A resumed run keeps the
 * settings its checkpoint was trained with, so it is never checked again.
 */
export function memoryCheckWanted(plan: Pick<Plan, 'device'>, config: Pick<RunConfig, 'memoryCheck'>, resuming: boolean): boolean {
  const o = config.memoryCheck;
  if (resuming || o?.skip) return false;
  return plan.device === 'cuda' || (typeof o?.budgetGb === 'number' && o.budgetGb > 0);
}

export function toSidecarConfig(plan: Plan, config: RunConfig, paths: SidecarPaths): SidecarRunConfig {
  const maxSteps = config.maxSteps ?? null;
  const out: SidecarRunConfig = {
    model_path: paths.modelPath,
    dataset_path: paths.datasetPath ?? config.dataset,
    eval_dataset_path: paths.evalDatasetPath !== undefined ? paths.evalDatasetPath : (config.evalDataset ?? null),
    output_dir: paths.outputDir,
    objective: config.objective ?? plan.objective,
    method: plan.method,
    load_in_4bit: plan.load_in_4bit,
    max_seq_length: plan.max_seq_length,
    batch_size: plan.batch_size,
    grad_accum: plan.grad_accum,
    lora_rank: plan.lora_rank,
    lora_alpha: plan.lora_alpha,
    lora_dropout: plan.lora_dropout,
    target_modules: plan.target_modules,
    gradient_checkpointing: plan.gradient_checkpointing,
    optimizer: plan.optimizer,
    learning_rate: config.learningRate ?? plan.learning_rate,
    // max_steps wins over epochs in the sidecar; send epochs only when steps are not fixed.
    max_steps: maxSteps,
    epochs: maxSteps ? null : (config.epochs ?? 1),
    seed: config.seed ?? 42,
    logging_steps: 1,
    // Merged 16-bit weights are what Send to Ollama imports, so a run merges unless told not to.
    merge: config.mergeOnFinish ?? true,
    resume_from_checkpoint: paths.resumeFrom ?? null,
    // Unsloth needs CUDA; a CPU plan must not even try to import it.
    backend: plan.device === 'cpu' ? 'plain' : 'auto',
    // The planner's numbers: whether falling back to plain transformers still fits, the advice after a load
    // that does not fit, and the LoRA parameter count the model must match. Plans stored before these
    // fields existed send null, and the sidecar then skips those checks.
    estimated_vram_gb: plan.device === 'cuda' ? plan.estimated_vram_gb : null,
    plain_estimated_vram_gb: plan.device === 'cuda' ? (plan.plain_estimated_vram_gb ?? null) : null,
    vram_budget_gb: plan.device === 'cuda' ? plan.vram_budget_gb : null,
    planned_trainable_params: plan.method !== 'full' && plan.lora_trainable_params ? plan.lora_trainable_params : null,
  };
  if (memoryCheckWanted(plan, config, Boolean(paths.resumeFrom))) out.memory_probe = {};
  if (config.saveSteps !== undefined) out.save_steps = config.saveSteps;
  if (config.evalSteps !== undefined) out.eval_steps = config.evalSteps;
  return out;
}
