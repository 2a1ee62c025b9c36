/**
 * The quantisations a GGUF export offers, and which of them the user's Ollama can produce from safetensors.
 *
 * Ollama 0.5.x-0.6.x quantise with llama.cpp (llama.Quantize: every k-quant, q5_K_M included). From 0.7.0 Ollama
 * quantises with its own Go code, and fs/ggml ParseFileType accepts only F32, F16, BF16, Q8_0, Q4_K_S and
 * Q4_K_M (checked at v0.7.0, v0.11.4 and v0.33.0): q5_K_M is refused there with "unsupported quantization type".
 * Hone says so before converting anything.
 */
import { HoneError } from '../../shared/errors';
import { versionAtLeast } from '../ollama/architectures';
import { GGUF_QUANTS, type GgufQuantization } from '../../shared/types/exports';

export { GGUF_QUANTS, type GgufQuantization };

export function isGgufQuant(q: unknown): q is GgufQuantization {
  return typeof q === 'string' && (GGUF_QUANTS as readonly string[]).includes(q);
}

/** The quantisations this Ollama produces from safetensors (an unknown or source-built version counts as current). */
export function quantsFor(version: string | null): GgufQuantization[] {
  return GGUF_QUANTS.filter((q) => q !== 'q5_K_M' || !versionAtLeast(version, '0.7.0'));
}

export function assertOllamaQuantizes(version: string | null, q: GgufQuantization): void {
  if (quantsFor(version).includes(q)) return;
  const others = quantsFor(version).filter((x) => x !== 'f16');
  throw new HoneError(
    'UNSUPPORTED_QUANT',
    `Ollama ${version} cannot quantise to ${q}: from 0.7 Ollama quantises only to ${others.join(' and ')} (and keeps f16 as it is).`,
    `Choose ${others.join(' or ')}, or f16 for full 16-bit weights; or quantise the f16 file with llama.cpp's llama-quantize.`,
  );
}
