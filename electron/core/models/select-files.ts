/**
 * Which of a repo's files a training needs: config, tokenizer, chat template, processor config, and exactly
 * one copy of the weights. With a shard index, the weights are precisely the files its weight_map names:
 * repos also carry the same weights in other shapes (Mistral's consolidated.safetensors, model.fp16-*
 * variants, a stale model.safetensors left beside newer shards), and fetching those would double or triple
 * the download.
 */
import { HoneError } from '../../shared/errors';
import type { HubFile } from './hub-client';

const NEEDED = new Set([
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'tokenizer.model',
  'special_tokens_map.json',
  'added_tokens.json',
  'vocab.json',
  'merges.txt',
  'chat_template.json',
  'chat_template.jinja',
  // Vision-language models: without it AutoProcessor cannot load.
  'preprocessor_config.json',
  'processor_config.json',
]);

export const SAFE_INDEX = 'model.safetensors.index.json';
export const BIN_INDEX = 'pytorch_model.bin.index.json';

// Top level only: subfolders hold other formats (original/ for Meta's .pth, onnx/, gguf variants).
const topLevel = (files: HubFile[]) => files.filter((f) => !f.name.includes('/'));

/**
 * The index to read before choosing weights, as transformers picks its weights: safetensors first
 * (model.safetensors, else the sharded index), pickle .bin only when there is no safetensors at all.
 */
export function weightIndexName(files: HubFile[]): string | null {
  const names = new Set(topLevel(files).map((f) => f.name));
  if (names.has(SAFE_INDEX)) return SAFE_INDEX;
  if (names.has('model.safetensors')) return null;
  if (names.has(BIN_INDEX)) return BIN_INDEX;
  return null;
}

/** The distinct files an index's weight_map points to. */
export function parseWeightMap(repo: string, index: string, text: string): string[] {
  let map: unknown;
  try {
    map = (JSON.parse(text) as { weight_map?: unknown }).weight_map;
  } catch {
    throw new HoneError('MODEL_NOT_FOUND', `${index} of ${repo} is not valid JSON, so its weight files are unknown.`, 'Pick another revision or repo; the repo owner may be fixing it.');
  }
  const files = map && typeof map === 'object' ? [...new Set(Object.values(map as Record<string, unknown>))] : [];
  if (files.length === 0 || files.some((f) => typeof f !== 'string' || !f)) {
    throw new HoneError('MODEL_NOT_FOUND', `${index} of ${repo} has no usable weight_map.`, 'Pick another revision or repo; the repo owner may be fixing it.');
  }
  return files as string[];
}

/** weightMap: the files of the index weightIndexName named (read by the caller), when there is one. */
export function selectFiles(repo: string, files: HubFile[], weightMap: string[] | null = null): HubFile[] {
  const top = topLevel(files);
  const byName = new Map(top.map((f) => [f.name, f]));
  const index = weightIndexName(files);
  let weights: string[];
  if (index) {
    if (!weightMap) throw new Error(`selectFiles(${repo}): read ${index} first`);
    const missing = weightMap.filter((f) => !byName.has(f));
    if (missing.length) {
      throw new HoneError('MODEL_NOT_FOUND', `${index} of ${repo} names ${missing.length} file(s) the repo does not have (${missing.slice(0, 3).join(', ')}).`, 'The repo is incomplete at this revision: pick another revision, or try again later.');
    }
    weights = [...weightMap, index];
  } else if (byName.has('model.safetensors')) {
    weights = ['model.safetensors'];
  } else if (byName.has('pytorch_model.bin')) {
    // Older repos: .bin only (pickle). Still loadable.
    weights = ['pytorch_model.bin'];
  } else {
    const adapter = byName.has('adapter_config.json');
    const other = top.filter((f) => /\.(safetensors|bin|gguf|pth|onnx)$/.test(f.name)).map((f) => f.name);
    throw new HoneError(
      'MODEL_NOT_FOUND',
      adapter
        ? `${repo} is a LoRA adapter, not a whole model.`
        : `${repo} has no weights transformers loads (no model.safetensors, no shard index${other.length ? `; it has ${other.slice(0, 3).join(', ')}` : ''}).`,
      adapter ? 'Pick its base model (adapter_config.json names it as base_model_name_or_path).' : 'GGUF, ONNX, consolidated and other export-only repos cannot be fine-tuned: pick the original model repo.',
    );
  }
  if (!byName.has('config.json')) {
    throw new HoneError('MODEL_NOT_FOUND', `${repo} has no config.json, so it is not a transformers model.`, 'Pick the original model repo.');
  }
  const chosen = new Set([...weights, ...NEEDED]);
  return top.filter((f) => chosen.has(f.name));
}
