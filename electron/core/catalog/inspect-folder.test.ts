import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { inspectModelFolder } from './inspect-folder';
import { readSafetensorsHeader } from './safetensors';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function folder(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-model-'));
  dirs.push(dir);
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), body);
  return dir;
}

/** A real safetensors file: little-endian header length, JSON header, then the zeroed fp32 data. */
function safetensors(tensors: Record<string, number[]>): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, shape] of Object.entries(tensors)) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, Buffer.alloc(offset)]);
}

/** The tiny random test Llama's tensors (hidden 64, 4 layers, 4 heads, 2 KV heads, MLP 192, vocab 1024, untied head). */
function tinyLlamaTensors(): Record<string, number[]> {
  const t: Record<string, number[]> = { 'model.embed_tokens.weight': [1024, 64], 'lm_head.weight': [1024, 64], 'model.norm.weight': [64] };
  for (let l = 0; l < 4; l++) {
    const p = `model.layers.${l}`;
    Object.assign(t, {
      [`${p}.self_attn.q_proj.weight`]: [64, 64],
      [`${p}.self_attn.k_proj.weight`]: [32, 64],
      [`${p}.self_attn.v_proj.weight`]: [32, 64],
      [`${p}.self_attn.o_proj.weight`]: [64, 64],
      [`${p}.mlp.gate_proj.weight`]: [192, 64],
      [`${p}.mlp.up_proj.weight`]: [192, 64],
      [`${p}.mlp.down_proj.weight`]: [64, 192],
      [`${p}.input_layernorm.weight`]: [64],
      [`${p}.post_attention_layernorm.weight`]: [64],
    });
  }
  return t;
}

const TINY_CONFIG = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 64,
  intermediate_size: 192,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 1024,
  vocab_size: 1024,
  tie_word_embeddings: false,
  torch_dtype: 'float32',
};
const CHATML = "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}";

test('a local Llama folder becomes a ModelSpec with the exact parameter count from its safetensors header', () => {
  const dir = folder({
    'config.json': JSON.stringify(TINY_CONFIG),
    'model.safetensors': safetensors(tinyLlamaTensors()),
    'tokenizer_config.json': JSON.stringify({ chat_template: CHATML }),
    'README.md': '---\nlicense: apache-2.0\n---\n# tiny',
  });
  const spec = inspectModelFolder(dir);
  assert.equal(spec.id, `local:${dir}`);
  assert.equal(spec.localPath, dir);
  assert.equal(spec.architecture, 'LlamaForCausalLM');
  assert.deepEqual([spec.layers, spec.hiddenSize, spec.heads, spec.kvHeads, spec.intermediateSize, spec.vocabSize], [4, 64, 4, 2, 192, 1024]);
  const exact = 2 * 1024 * 64 + 64 + 4 * (64 * 64 * 2 + 32 * 64 * 2 + 192 * 64 * 3 + 128);
  assert.equal(Math.round(spec.paramsB * 1e9), exact);
  assert.equal(spec.chatTemplate, 'chatml');
  assert.equal(spec.kind, 'instruct');
  assert.equal(spec.license, 'apache-2.0');
  assert.equal(spec.ollamaImport, true);
  assert.equal(Object.keys(readSafetensorsHeader(path.join(dir, 'model.safetensors'))).length, 3 + 4 * 9);
});

test('a multimodal Gemma 3 folder is read through its text_config, its template from chat_template.jinja', () => {
  const dir = folder({
    'config.json': JSON.stringify({
      architectures: ['Gemma3ForConditionalGeneration'],
      model_type: 'gemma3',
      text_config: { model_type: 'gemma3_text', hidden_size: 2560, intermediate_size: 10240, num_hidden_layers: 34, num_attention_heads: 8, num_key_value_heads: 4, head_dim: 256, vocab_size: 262208, max_position_embeddings: 131072 },
      vision_config: { hidden_size: 1152 },
    }),
    'model.safetensors': safetensors({ 'language_model.model.norm.weight': [2560] }),
    'chat_template.jinja': '{{ bos_token }}{% for m in messages %}<start_of_turn>{{ m.role }}\n{{ m.content }}<end_of_turn>\n{% endfor %}',
  });
  const spec = inspectModelFolder(dir);
  assert.equal(spec.hiddenSize, 2560);
  assert.equal(spec.layers, 34);
  assert.equal(spec.headDim, 256);
  assert.equal(spec.maxPositionEmbeddings, 131072);
  assert.equal(spec.chatTemplate, 'gemma');
  assert.equal(spec.ollamaImport, true);
  assert.equal(spec.license, 'unknown');
});

test('a Phi-4-mini-style folder is flagged as not importable by Ollama, and a 4-bit folder is counted from its shapes', () => {
  const dir = folder({
    'config.json': JSON.stringify({
      architectures: ['Phi3ForCausalLM'], model_type: 'phi3', hidden_size: 3072, intermediate_size: 8192, num_hidden_layers: 32,
      num_attention_heads: 24, num_key_value_heads: 8, vocab_size: 200064, max_position_embeddings: 131072, partial_rotary_factor: 0.75,
      tie_word_embeddings: true, quantization_config: { load_in_4bit: true },
    }),
    'model.safetensors': safetensors({ packed: [10, 10] }),
    'tokenizer_config.json': JSON.stringify({ chat_template: [{ name: 'default', template: '<|user|>{{ m }}<|end|><|assistant|>' }] }),
  });
  const spec = inspectModelFolder(dir);
  assert.equal(spec.ollamaImport, false);
  assert.match(spec.ollamaImportNote ?? '', /partial rotary/);
  assert.equal(spec.chatTemplate, 'phi4');
  assert.ok(Math.abs(spec.paramsB - 3.84) < 0.05, `counted ${spec.paramsB}B from the shapes`);
});

test('folders that are not models get a message saying what to pick', () => {
  const empty = folder({ 'notes.txt': 'hello' });
  assert.throws(() => inspectModelFolder(empty), (e: Error & { code?: string; hint?: string }) => e.code === 'BAD_REQUEST' && /no config\.json/.test(e.message) && /config\.json/.test(e.hint ?? ''));
  const noWeights = folder({ 'config.json': JSON.stringify(TINY_CONFIG) });
  assert.throws(() => inspectModelFolder(noWeights), /no weights/);
  const broken = folder({ 'config.json': '{"architectures": [' });
  assert.throws(() => inspectModelFolder(broken), /not valid JSON/);
  const notLm = folder({ 'config.json': JSON.stringify({ architectures: ['ResNetForImageClassification'], num_channels: 3 }), 'model.safetensors': safetensors({ w: [2] }) });
  assert.throws(() => inspectModelFolder(notLm), /lacks hidden_size, num_hidden_layers, num_attention_heads, vocab_size/);
  assert.throws(() => inspectModelFolder(path.join(empty, 'notes.txt')), /is a file/);
  const partial = folder({
    'config.json': JSON.stringify(TINY_CONFIG),
    'model-00001-of-00002.safetensors': safetensors({ a: [2] }),
    'model.safetensors.index.json': JSON.stringify({ weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' } }),
  });
  assert.throws(() => inspectModelFolder(partial), /missing 1 of its 2 weight files \(model-00002-of-00002\.safetensors\)/);
  assert.throws(() => inspectModelFolder(path.join(empty, 'missing')), (e: Error & { code?: string }) => e.code === 'MODEL_NOT_FOUND');
});
