/** Which of a repo's files a training needs: config, tokenizer, chat template, and one copy of the weights. */
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
]);

// transformers' own shard names. Repos such as Mistral's also ship "consolidated.safetensors", the same
// weights in the reference format: taking both would double the download.
const HF_SHARD = /^model(-\d+-of-\d+)?\.safetensors$/;
const BIN_SHARD = /^pytorch_model(-\d+-of-\d+)?\.bin$/;

export function selectFiles(repo: string, files: HubFile[]): HubFile[] {
  // Top level only: subfolders hold other formats (original/ for Meta's .pth, onnx/, gguf variants).
  const top = files.filter((f) => !f.name.includes('/'));
  const safetensors = top.filter((f) => f.name.endsWith('.safetensors'));
  const hfShards = safetensors.filter((f) => HF_SHARD.test(f.name));
  let weights: HubFile[];
  let index: string;
  if (hfShards.length > 0) {
    weights = hfShards;
    index = 'model.safetensors.index.json';
  } else if (safetensors.length > 0) {
    weights = safetensors;
    index = 'model.safetensors.index.json';
  } else {
    // Older repos: .bin only (pickle). Still loadable; never .pth/.gguf/.onnx, which transformers cannot train.
    weights = top.filter((f) => BIN_SHARD.test(f.name));
    index = 'pytorch_model.bin.index.json';
  }
  if (weights.length === 0) {
    throw new HoneError(
      'MODEL_NOT_FOUND',
      `${repo} has no weights Hone can train (no .safetensors or pytorch_model.bin files).`,
      'GGUF, ONNX and other export-only repos cannot be fine-tuned: pick the original model repo.',
    );
  }
  if (!top.some((f) => f.name === 'config.json')) {
    throw new HoneError('MODEL_NOT_FOUND', `${repo} has no config.json, so it is not a transformers model.`, 'Pick the original model repo.');
  }
  const chosen = new Set([...weights.map((f) => f.name), index, ...NEEDED]);
  return top.filter((f) => chosen.has(f.name));
}
