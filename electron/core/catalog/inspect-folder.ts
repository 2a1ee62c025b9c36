/**
 * A local model folder (a Hugging Face download or a merged fine-tune) -> ModelSpec, from its config.json,
 * its safetensors headers and its tokenizer's chat template.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { ModelSpec } from '../../shared/types/model';
import { countParams } from './params';
import { countSafetensorsParams } from './safetensors';
import { guessTemplateFamily, pickChatTemplate } from './template-family';
import { ollamaCanImport } from './ollama-arch';

type Json = Record<string, unknown>;

const WHAT_TO_PICK = 'Pick the folder that holds config.json, the tokenizer files and the *.safetensors weights (a Hugging Face model download).';

function readJson(file: string): Json | null {
  if (!fs.existsSync(file)) return null;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  } catch (err) {
    throw new HoneError('BAD_REQUEST', `${file} is not valid JSON: ${(err as Error).message}`, 'Re-download the model: this file is damaged.');
  }
}

const num = (c: Json, ...keys: string[]): number | undefined => {
  for (const k of keys) if (typeof c[k] === 'number') return c[k] as number;
  return undefined;
};

function chatTemplateOf(dir: string): string | null {
  // Newer transformers save the template beside the tokenizer as chat_template.jinja.
  const jinja = path.join(dir, 'chat_template.jinja');
  if (fs.existsSync(jinja)) return fs.readFileSync(jinja, 'utf8');
  return pickChatTemplate(readJson(path.join(dir, 'tokenizer_config.json'))?.chat_template);
}

function licenseOf(dir: string): string {
  const readme = path.join(dir, 'README.md');
  if (!fs.existsSync(readme)) return 'unknown';
  const front = /^---\n([\s\S]*?)\n---/.exec(fs.readFileSync(readme, 'utf8'));
  return /^license:\s*(.+)$/m.exec(front?.[1] ?? '')?.[1].trim() ?? 'unknown';
}

export function inspectModelFolder(dir: string): ModelSpec {
  if (!fs.existsSync(dir)) throw new HoneError('MODEL_NOT_FOUND', `The folder ${dir} does not exist.`, WHAT_TO_PICK);
  if (!fs.statSync(dir).isDirectory()) throw new HoneError('BAD_REQUEST', `${dir} is a file, not a model folder.`, WHAT_TO_PICK);
  const config = readJson(path.join(dir, 'config.json'));
  if (!config) throw new HoneError('BAD_REQUEST', `${dir} is not a model folder: it has no config.json.`, WHAT_TO_PICK);
  // Multimodal models (Gemma 3 4B+, Llama Vision) keep the language model's numbers under text_config.
  const text: Json = { ...config, ...((config.text_config as Json | undefined) ?? {}) };
  const architecture = Array.isArray(config.architectures) && typeof config.architectures[0] === 'string' ? (config.architectures[0] as string) : null;
  const hidden = num(text, 'hidden_size', 'n_embd', 'd_model');
  const layers = num(text, 'num_hidden_layers', 'n_layer', 'n_layers');
  const heads = num(text, 'num_attention_heads', 'n_head');
  const vocab = num(text, 'vocab_size') ?? num(config, 'vocab_size');
  const missing = [
    !architecture && 'architectures',
    !hidden && 'hidden_size',
    !layers && 'num_hidden_layers',
    !heads && 'num_attention_heads',
    !vocab && 'vocab_size',
  ].filter(Boolean);
  if (missing.length) {
    throw new HoneError('BAD_REQUEST', `${path.join(dir, 'config.json')} is not a language model's config: it lacks ${missing.join(', ')}.`, WHAT_TO_PICK);
  }
  const weightFiles = fs.readdirSync(dir).filter((f) => f.endsWith('.safetensors') || /^pytorch_model.*\.bin$/.test(f));
  if (!weightFiles.length) {
    throw new HoneError('BAD_REQUEST', `${dir} has a config.json but no weights (*.safetensors or pytorch_model*.bin).`, 'Finish the download, or pick the folder the weights are in.');
  }
  const index = readJson(path.join(dir, 'model.safetensors.index.json'));
  const shards = [...new Set(Object.values((index?.weight_map as Record<string, string> | undefined) ?? {}))];
  const absent = shards.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (absent.length) {
    throw new HoneError('BAD_REQUEST', `${dir} is missing ${absent.length} of its ${shards.length} weight files (${absent.slice(0, 3).join(', ')}${absent.length > 3 ? ', ...' : ''}).`, 'Finish the download: every file model.safetensors.index.json lists must be in the folder.');
  }
  const modelType = String(text.model_type ?? config.model_type ?? 'unknown');
  const headDim = num(text, 'head_dim');
  const arch = {
    paramsB: 0,
    layers: layers!,
    hiddenSize: hidden!,
    heads: heads!,
    kvHeads: num(text, 'num_key_value_heads', 'n_head_kv') ?? heads!,
    intermediateSize: num(text, 'intermediate_size', 'n_inner') ?? 4 * hidden!,
    vocabSize: vocab!,
    maxPositionEmbeddings: num(text, 'max_position_embeddings', 'n_positions') ?? 2048,
    architecture: architecture!,
    tieWordEmbeddings: (config.tie_word_embeddings ?? text.tie_word_embeddings) === true,
    ...(headDim && headDim !== Math.floor(hidden! / heads!) ? { headDim } : {}),
  };
  // Quantised folders pack several weights per stored element, so their headers undercount.
  const counted = config.quantization_config ? null : countSafetensorsParams(dir);
  arch.paramsB = (counted ?? countParams(arch).total) / 1e9;
  const template = chatTemplateOf(dir);
  const { family } = guessTemplateFamily(template, modelType, arch.vocabSize);
  const ollama = ollamaCanImport(arch.architecture, text as { partial_rotary_factor?: unknown });
  const abs = path.resolve(dir);
  return {
    ...arch,
    id: `local:${abs}`,
    name: path.basename(abs),
    family: modelType,
    kind: template ? 'instruct' : 'base',
    hfId: null,
    hfId4bit: null,
    chatTemplate: family,
    license: licenseOf(dir),
    gated: false,
    ollamaImport: ollama.ok,
    ...(ollama.note ? { ollamaImportNote: ollama.note } : {}),
    ollamaBase: null,
    localPath: abs,
  };
}
