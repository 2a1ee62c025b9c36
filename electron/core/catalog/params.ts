/**
 * Parameter counts from a model's config numbers. The planner sizes weights, LoRA adapters and
 * activations from these shapes; a local folder without a safetensors header is counted the same way.
 */
import type { ModelArchitecture } from '../../shared/types/model';

/** The seven projections Unsloth and PEFT target for "all linear layers". */
export const ALL_LINEAR_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LinearModule = (typeof ALL_LINEAR_MODULES)[number];
/**
 * Phi-3 / Phi-3.5 / Phi-4-mini (Phi3ForCausalLM) fuse q, k, v into qkv_proj and gate, up into gate_up_proj.
 * Llama names on them match only o_proj and down_proj, and PEFT adapts those two without a word.
 */
export const FUSED_LINEAR_MODULES = ['qkv_proj', 'o_proj', 'gate_up_proj', 'down_proj'] as const;
const FUSED_ARCHITECTURES = new Set(['Phi3ForCausalLM']);

/** Every linear projection of a decoder layer, by the names this architecture's modules carry. */
export function targetModulesFor(a: Pick<ModelArchitecture, 'architecture'>): string[] {
  return FUSED_ARCHITECTURES.has(a.architecture) ? [...FUSED_LINEAR_MODULES] : [...ALL_LINEAR_MODULES];
}

export function headDimOf(a: ModelArchitecture): number {
  return a.headDim ?? Math.floor(a.hiddenSize / a.heads);
}

/** [in, out] features of each projection in one decoder layer. */
export function linearShapes(a: ModelArchitecture): Record<LinearModule, [number, number]> {
  const hd = headDimOf(a);
  const q = a.heads * hd;
  const kv = a.kvHeads * hd;
  const h = a.hiddenSize;
  const i = a.intermediateSize;
  return {
    q_proj: [h, q],
    k_proj: [h, kv],
    v_proj: [h, kv],
    o_proj: [q, h],
    gate_proj: [h, i],
    up_proj: [h, i],
    down_proj: [i, h],
  };
}

export interface ParamCounts {
  /** Decoder-layer projections: what bitsandbytes quantises to 4 bits. */
  linear: number;
  embedding: number;
  /** The output head; 0 when it shares the embedding's weights. */
  lmHead: number;
  /** Norms, biases, vision towers: whatever paramsB holds beyond the shapes above. */
  other: number;
  total: number;
}

/** Counts from the shapes, with paramsB (the published total) as the truth for the remainder. */
export function countParams(a: ModelArchitecture): ParamCounts {
  const perLayer = Object.values(linearShapes(a)).reduce((sum, [i, o]) => sum + i * o, 0);
  const linear = perLayer * a.layers;
  const embedding = a.vocabSize * a.hiddenSize;
  const lmHead = a.tieWordEmbeddings ? 0 : embedding;
  const fromShapes = linear + embedding + lmHead;
  const published = a.paramsB * 1e9;
  const other = Math.max(0, published - fromShapes);
  return { linear, embedding, lmHead, other, total: Math.max(published, fromShapes) };
}

/** [in, out] of every projection name LoRA may target, fused ones included. */
export function loraShapes(a: ModelArchitecture): Record<string, [number, number]> {
  const s = linearShapes(a);
  return { ...s, qkv_proj: [s.q_proj[0], s.q_proj[1] + s.k_proj[1] + s.v_proj[1]], gate_up_proj: [s.gate_proj[0], 2 * s.gate_proj[1]] };
}

/**
 * LoRA parameters for rank r on the given modules: r * (in + out) per module per layer, counting only the
 * names this architecture has (a fused model has no q_proj, an unfused one no qkv_proj). Only the language
 * model's layers: the sidecar keeps LoRA off a multimodal checkpoint's vision tower.
 */
export function loraParams(a: ModelArchitecture, rank: number, modules: readonly string[]): number {
  const shapes = loraShapes(a);
  const present = new Set(targetModulesFor(a));
  let perLayer = 0;
  for (const m of modules) {
    const s = shapes[m];
    if (s && present.has(m)) perLayer += rank * (s[0] + s[1]);
  }
  return perLayer * a.layers;
}
