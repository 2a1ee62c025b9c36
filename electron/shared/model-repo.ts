/**
 * Which Hugging Face repo a training loads. Pure, so the renderer (to show whether the model a run
 * will use is already on disk) and the core (to download and to find it) agree on one answer.
 */
import type { ModelSpec } from './types/model';
import type { Plan } from './types/plan';

export type RepoPlan = Pick<Plan, 'method' | 'load_in_4bit' | 'device'>;

/**
 * Unsloth's pre-quantised 4-bit repo for QLoRA on CUDA: a quarter of the download, and no
 * quantising at load time. Everything else takes the 16-bit weights, because bitsandbytes' 4-bit
 * loading needs CUDA (a CPU run cannot read the 4-bit repo) and LoRA/full training want 16-bit.
 */
export function pickRepo(spec: Pick<ModelSpec, 'hfId' | 'hfId4bit'>, plan: RepoPlan | null): string | null {
  const qlora = plan !== null && plan.device === 'cuda' && (plan.method === 'qlora' || plan.load_in_4bit);
  if (qlora && spec.hfId4bit) return spec.hfId4bit;
  return spec.hfId ?? null;
}
