// Which files a training needs, judged on listings shaped like real repos.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubFile } from './hub-client';
import { parseWeightMap, selectFiles, weightIndexName } from './select-files';

const listing = (...names: string[]): HubFile[] => names.map((name) => ({ name, size: 1, sha256: null, gitOid: null }));
const names = (fs: HubFile[]) => fs.map((f) => f.name).sort();

test('with an index, exactly the weight_map files: no consolidated, fp16 variant or stale single file', () => {
  const all = listing('config.json', 'tokenizer.json', 'model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors', 'consolidated.safetensors', 'model.fp16-00001-of-00002.safetensors', 'model.fp16.safetensors.index.json', 'pytorch_model.bin', 'original/consolidated.00.pth', 'README.md');
  assert.equal(weightIndexName(all), 'model.safetensors.index.json');
  const map = parseWeightMap('a/b', 'model.safetensors.index.json', JSON.stringify({ weight_map: { 'a.weight': 'model-00001-of-00002.safetensors', 'b.weight': 'model-00002-of-00002.safetensors', 'c.weight': 'model-00002-of-00002.safetensors' } }));
  assert.deepEqual(names(selectFiles('a/b', all, map)), ['config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json', 'tokenizer.json']);
});

test('no index: model.safetensors, else pytorch_model.bin; vision processor configs are kept', () => {
  assert.deepEqual(names(selectFiles('a/b', listing('config.json', 'model.safetensors', 'consolidated.safetensors', 'preprocessor_config.json', 'processor_config.json'))), ['config.json', 'model.safetensors', 'preprocessor_config.json', 'processor_config.json']);
  assert.deepEqual(names(selectFiles('a/b', listing('config.json', 'pytorch_model.bin', 'vocab.json', 'merges.txt'))), ['config.json', 'merges.txt', 'pytorch_model.bin', 'vocab.json']);
  const bin = listing('config.json', 'pytorch_model.bin.index.json', 'pytorch_model-00001-of-00002.bin', 'pytorch_model-00002-of-00002.bin');
  assert.equal(weightIndexName(bin), 'pytorch_model.bin.index.json');
  assert.equal(selectFiles('a/b', bin, ['pytorch_model-00001-of-00002.bin', 'pytorch_model-00002-of-00002.bin']).length, 4);
});

test('what cannot be trained says why: export-only weights, a LoRA adapter, an index naming missing shards, no config', () => {
  assert.throws(() => selectFiles('a/b', listing('config.json', 'consolidated.safetensors', 'model.gguf')), (e: Error & { hint?: string }) => /no weights transformers loads.*consolidated\.safetensors/.test(e.message) && /original model repo/.test(e.hint ?? ''));
  assert.throws(() => selectFiles('a/b', listing('adapter_config.json', 'adapter_model.safetensors')), (e: Error & { hint?: string }) => /LoRA adapter/.test(e.message) && /base model/.test(e.hint ?? ''));
  assert.throws(() => selectFiles('a/b', listing('config.json', 'model.safetensors.index.json', 'model-00001-of-00002.safetensors'), ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']), /names 1 file\(s\) the repo does not have \(model-00002-of-00002\.safetensors\)/);
  assert.throws(() => selectFiles('a/b', listing('model.safetensors')), /no config\.json/);
  assert.throws(() => parseWeightMap('a/b', 'model.safetensors.index.json', '{"weight_map":{}}'), /no usable weight_map/);
  assert.throws(() => parseWeightMap('a/b', 'model.safetensors.index.json', 'not json'), /not valid JSON/);
});
