/** Checks a RunConfig from the wire before anything is stored: each problem names its field. */
import { HoneError } from '../../shared/errors';
import type { RunConfig } from '../../shared/types/runs';
import { usableGb, withinMargin } from '../planner/margin';

function bad(field: string, what: string): never {
  throw new HoneError('BAD_REQUEST', `config.${field} ${what}.`, 'Go back through the wizard steps (or fix the CLI flags) and start again.');
}

const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;

export function validateRunConfig(input: unknown): RunConfig {
  if (!input || typeof input !== 'object') throw new HoneError('BAD_REQUEST', 'runs.start needs { config }.');
  const c = input as Partial<RunConfig>;
  if (typeof c.model !== 'string' || !c.model.trim()) bad('model', 'must name a catalogue model or a model folder');
  if (typeof c.dataset !== 'string' || !c.dataset.trim()) bad('dataset', 'must be the path of a dataset file');
  if (c.objective !== 'sft' && c.objective !== 'dpo') bad('objective', 'must be "sft" or "dpo"');
  const p = c.plan;
  if (!p || typeof p !== 'object') bad('plan', 'is missing: compute a plan in the Method step first');
  if (!['qlora', 'lora', 'full'].includes(p.method)) bad('plan.method', 'must be qlora, lora or full');
  for (const k of ['max_seq_length', 'batch_size', 'grad_accum', 'learning_rate'] as const) {
    if (!positive(p[k])) bad(`plan.${k}`, 'must be a positive number');
  }
  // It becomes CUDA_VISIBLE_DEVICES: a whole number, nothing else.
  if (p.gpu_index != null && !(Number.isInteger(p.gpu_index) && p.gpu_index >= 0 && p.gpu_index < 1024)) bad('plan.gpu_index', 'must be the index of a GPU (a whole number from 0)');
  if (p.fits === false) {
    throw new HoneError('DOES_NOT_FIT', `This plan needs about ${p.estimated_vram_gb} GB but ${p.vram_budget_gb} GB is free.`, 'Pick a smaller model or a shorter sequence length in the Method step.');
  }
  // A plan is never accepted above its budget less the safety margin (planner/margin.ts), whoever made it.
  if (p.device === 'cuda' && positive(p.vram_budget_gb) && typeof p.estimated_vram_gb === 'number' && !withinMargin(p.estimated_vram_gb, p.vram_budget_gb, 'cuda')) {
    throw new HoneError(
      'DOES_NOT_FIT',
      `This plan needs about ${p.estimated_vram_gb} GB, more than the ${usableGb(p.vram_budget_gb, 'cuda').toFixed(1)} GB a plan may use of the ${p.vram_budget_gb} GB free (a safety margin is kept).`,
      'Plan again in the Method step: it picks a smaller batch, a shorter sequence or QLoRA to fit.',
    );
  }
  validateMemoryCheck(c.memoryCheck);
  if (c.maxSteps != null && !(Number.isInteger(c.maxSteps) && c.maxSteps > 0)) bad('maxSteps', 'must be a whole number above 0');
  if (c.epochs != null && !positive(c.epochs)) bad('epochs', 'must be above 0');
  if (c.learningRate != null && !positive(c.learningRate)) bad('learningRate', 'must be above 0');
  if (c.saveSteps != null && !(Number.isInteger(c.saveSteps) && c.saveSteps > 0)) bad('saveSteps', 'must be a whole number above 0');
  if (c.name != null && typeof c.name !== 'string') bad('name', 'must be text');
  return c as RunConfig;
}

export function requireRunId(params: unknown): string {
  const id = (params as { runId?: unknown } | undefined)?.runId;
  if (typeof id !== 'string' || !id) throw new HoneError('BAD_REQUEST', 'runId is required.', 'List runs with `hone runs`.');
  return id;
}

/** The memory check's options (RunConfig.memoryCheck): each one checked, the field named. */
function validateMemoryCheck(m: unknown): void {
  if (m === undefined || m === null) return;
  if (typeof m !== 'object' || Array.isArray(m)) bad('memoryCheck', 'must be an object');
  const o = m as Record<string, unknown>;
  for (const k of ['skip', 'allowTruncation', 'takeFaster'] as const) {
    if (o[k] !== undefined && o[k] !== null && typeof o[k] !== 'boolean') bad(`memoryCheck.${k}`, 'must be true or false');
  }
  if (o.budgetGb !== undefined && o.budgetGb !== null && !(positive(o.budgetGb) && (o.budgetGb as number) <= 4096)) bad('memoryCheck.budgetGb', 'must be a number of GB above 0');
}
