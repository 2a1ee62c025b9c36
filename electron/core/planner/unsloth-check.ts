/**
 * Our estimate against Unsloth's published minimum for the model's size class (unsloth-table.ts). Where
 * Unsloth says more is needed, the plan says so and leaves the verdict to the memory check that opens every
 * GPU run (issue #16): a measurement on the user's card, not one of two estimates.
 */
import type { ModelSpec } from '../../shared/types/model';
import type { TrainingMethod } from '../../shared/types/plan';
import { fmtGb } from './budget';
import { CUDA_CONTEXT_GIB } from './memory';
import { IMPLIED_SETTINGS, UNSLOTH_TABLE, type UnslothRow } from './unsloth-table';

/** The table row of the model's size class: the nearest size, if within 25% of the model's. */
export function sizeClass(paramsB: number): UnslothRow | null {
  let best: UnslothRow | null = null;
  for (const row of UNSLOTH_TABLE) if (!best || Math.abs(row.sizeB - paramsB) < Math.abs(best.sizeB - paramsB)) best = row;
  return best && Math.abs(best.sizeB - paramsB) <= 0.25 * paramsB ? best : null;
}

export interface UnslothComparison {
  sizeB: number;
  publishedGb: number;
  /** Our estimate on the table's basis: torch's reserved memory, without the CUDA context. */
  ourGb: number;
}

/** Set only when Unsloth's published minimum is above our estimate (LoRA and QLoRA on CUDA). */
export function unslothAbove(model: Pick<ModelSpec, 'paramsB'>, method: TrainingMethod, estimateGb: number): UnslothComparison | null {
  if (method === 'full') return null;
  const row = sizeClass(model.paramsB);
  if (!row) return null;
  const publishedGb = method === 'qlora' ? row.qloraGb : row.loraGb;
  const ourGb = estimateGb - CUDA_CONTEXT_GIB;
  return publishedGb > ourGb ? { sizeB: row.sizeB, publishedGb, ourGb } : null;
}

export function unslothReason(c: UnslothComparison, method: TrainingMethod, estimateGb: number): string {
  const s = IMPLIED_SETTINGS[method === 'qlora' ? 'qlora' : 'lora'];
  return `Unsloth publishes ${c.publishedGb} GB as the minimum for ${c.sizeB}B models with ${method === 'qlora' ? 'QLoRA' : 'LoRA'} (batch ${s.batchSize} x ${s.maxSeqLength} tokens, without the CUDA context), more than this plan's ${fmtGb(estimateGb)} estimate (${fmtGb(c.ourGb)} on that basis): the memory check at the start of the run measures the real peak on your card and plans again if it does not fit.`;
}
