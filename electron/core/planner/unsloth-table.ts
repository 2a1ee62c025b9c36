/**
 * Unsloth's published fine-tuning VRAM requirements ("Unsloth Requirements", unsloth.ai/docs/get-started/
 * fine-tuning-for-beginners/unsloth-requirements): QLoRA (4-bit) and LoRA (16-bit) by model size, "the
 * absolute minimum". memory.test.ts keeps the planner's memory model within ±20% of every row, with a real
 * architecture of that size: a catalogue model where we have one, otherwise the published config of a model
 * Unsloth supports (Llama 3.2 Vision, Llama 3.1 405B, Phi-3 medium), or for 40B and 81B (no such model) a
 * Llama-3.1-70B-shaped stack with fewer or more layers.
 *
 * How we read the table ("implied settings"; the page states none):
 * - GiB as Unsloth's notebooks print it: torch.cuda.max_memory_reserved() / 1024^3, which leaves out the
 *   CUDA context, so the comparison subtracts CUDA_CONTEXT_GIB from our estimate.
 * - LoRA r=16 on all seven projections, use_gradient_checkpointing="unsloth", adamw_8bit: the notebooks' settings.
 * - Tokens per step differ between the columns. No single setting reproduces both: for Llama 3.1 8B the
 *   columns differ by 16 GiB (6 vs 22) while the weights differ by 9.7 GiB (5.3 GiB in NF4 with 16-bit
 *   embeddings and head, 15.0 GiB in bf16), so the LoRA column carries ~6 GiB more activations than the
 *   QLoRA one. The QLoRA column matches the notebooks' Alpaca runs (batch 2, rows padded to ~512 tokens);
 *   the LoRA column matches batch 2 at the full max_seq_length of 2048.
 * - The 14B row: Phi-3 medium (32K vocabulary). A 152K-vocabulary model such as Qwen2.5 14B carries 2.9 GiB
 *   of 16-bit embeddings and head on top of its 6.3 GiB of NF4 layers, so it needs ~11 GiB, not 8.5; the
 *   planner says so for that model rather than bending the memory model to the row.
 */
import type { ModelArchitecture } from '../../shared/types/model';

export const IMPLIED_SETTINGS = {
  qlora: { batchSize: 2, maxSeqLength: 512 },
  lora: { batchSize: 2, maxSeqLength: 2048 },
  loraRank: 16,
} as const;

export interface UnslothRow {
  sizeB: number;
  qloraGb: number;
  loraGb: number;
  /** Catalogue id, or the architecture itself when no catalogue model has this size. */
  model: string | (ModelArchitecture & { name: string });
}

const llama70bShaped = (layers: number, name: string): ModelArchitecture & { name: string } => ({
  name,
  paramsB: (layers * 855_638_016 + 2 * 128_256 * 8192) / 1e9,
  layers,
  hiddenSize: 8192,
  heads: 64,
  kvHeads: 8,
  intermediateSize: 28672,
  vocabSize: 128256,
  maxPositionEmbeddings: 131072,
  architecture: 'LlamaForCausalLM',
  tieWordEmbeddings: false,
});

export const UNSLOTH_TABLE: UnslothRow[] = [
  { sizeB: 1, qloraGb: 2, loraGb: 4, model: 'llama-3.2-1b-instruct' },
  { sizeB: 3, qloraGb: 3.5, loraGb: 8, model: 'llama-3.2-3b-instruct' },
  { sizeB: 7, qloraGb: 5, loraGb: 19, model: 'mistral-7b-instruct-v0.3' },
  { sizeB: 8, qloraGb: 6, loraGb: 22, model: 'llama-3.1-8b-instruct' },
  { sizeB: 9, qloraGb: 6.5, loraGb: 24, model: 'gemma-2-9b-it' },
  {
    sizeB: 11,
    qloraGb: 7.5,
    loraGb: 29,
    // Llama 3.2 11B Vision: a Llama 3.1 8B text stack with 8 cross-attention layers (40 in all) and a 0.9B vision tower.
    model: { name: 'Llama 3.2 11B Vision', paramsB: 10.67, layers: 40, hiddenSize: 4096, heads: 32, kvHeads: 8, intermediateSize: 14336, vocabSize: 128256, maxPositionEmbeddings: 131072, architecture: 'MllamaForConditionalGeneration', tieWordEmbeddings: false },
  },
  {
    sizeB: 14,
    qloraGb: 8.5,
    loraGb: 33,
    model: { name: 'Phi-3 medium', paramsB: 13.96, layers: 40, hiddenSize: 5120, heads: 40, kvHeads: 10, intermediateSize: 17920, vocabSize: 32064, maxPositionEmbeddings: 4096, architecture: 'Phi3ForCausalLM', tieWordEmbeddings: false },
  },
  { sizeB: 27, qloraGb: 22, loraGb: 64, model: 'gemma-3-27b-it' },
  { sizeB: 32, qloraGb: 26, loraGb: 76, model: 'qwen2.5-32b-instruct' },
  { sizeB: 40, qloraGb: 30, loraGb: 96, model: llama70bShaped(44, 'Llama-shaped 40B (44 layers)') },
  { sizeB: 70, qloraGb: 41, loraGb: 164, model: 'llama-3.1-70b-instruct' },
  { sizeB: 81, qloraGb: 48, loraGb: 192, model: llama70bShaped(92, 'Llama-shaped 81B (92 layers)') },
  {
    sizeB: 90,
    qloraGb: 53,
    loraGb: 212,
    // Llama 3.2 90B Vision: the 70B text stack with 20 cross-attention layers (100 in all) and a vision tower.
    model: { name: 'Llama 3.2 90B Vision', paramsB: 88.6, layers: 100, hiddenSize: 8192, heads: 64, kvHeads: 8, intermediateSize: 28672, vocabSize: 128256, maxPositionEmbeddings: 131072, architecture: 'MllamaForConditionalGeneration', tieWordEmbeddings: false },
  },
  {
    sizeB: 405,
    qloraGb: 237,
    loraGb: 950,
    model: { name: 'Llama 3.1 405B', paramsB: 405.85, layers: 126, hiddenSize: 16384, heads: 128, kvHeads: 8, intermediateSize: 53248, vocabSize: 128256, maxPositionEmbeddings: 131072, architecture: 'LlamaForCausalLM', tieWordEmbeddings: false },
  },
];
