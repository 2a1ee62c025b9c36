import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../paths';
import { loadCatalog, resolveModel, validateEntry } from './catalog';
import { countParams } from './params';

const catalogue = loadCatalog(path.join(REPO_ROOT, 'resources'));

test('the catalogue has at least 15 real models from 135M to 70B; the demo is SmolLM2-135M-Instruct', () => {
  assert.ok(catalogue.length >= 15, `only ${catalogue.length} models`);
  const sizes = catalogue.map((m) => m.paramsB);
  assert.ok(Math.min(...sizes) <= 0.2 && Math.max(...sizes) >= 70);
  for (const family of ['smollm2', 'llama3.1', 'llama3.2', 'qwen2.5', 'qwen3', 'mistral', 'gemma2', 'gemma3', 'phi3', 'phi4']) {
    assert.ok(catalogue.some((m) => m.family === family), `no ${family} model`);
  }
  const demos = catalogue.filter((m) => m.demo);
  assert.deepEqual(demos.map((m) => m.id), ['smollm2-135m-instruct'], 'exactly one demo model');
  assert.equal(demos[0].hfId, 'HuggingFaceTB/SmolLM2-135M-Instruct');
  assert.equal(demos[0].localPath, undefined, 'fetched, not built: no local path in the catalogue');
  // The numbers of HuggingFaceTB's config.json files.
  const shape = (id: string) => {
    const m = catalogue.find((x) => x.id === id)!;
    return [m.hiddenSize, m.layers, m.heads, m.kvHeads, m.intermediateSize, m.vocabSize, m.maxPositionEmbeddings, m.tieWordEmbeddings, m.chatTemplate, m.license];
  };
  assert.deepEqual(shape('smollm2-135m-instruct'), [576, 30, 9, 3, 1536, 49152, 8192, true, 'chatml', 'apache-2.0']);
  assert.deepEqual(shape('smollm2-360m-instruct'), [960, 32, 15, 5, 2560, 49152, 8192, true, 'chatml', 'apache-2.0']);
  assert.deepEqual(shape('smollm2-1.7b-instruct'), [2048, 24, 32, 32, 8192, 49152, 8192, true, 'chatml', 'apache-2.0']);
});

test('every entry\'s shapes add up to its published parameter count', () => {
  for (const m of catalogue) {
    const fromShapes = countParams({ ...m, paramsB: 0 }).total / 1e9;
    // Gemma 3 4B+ carry a ~0.4B vision tower the text shapes do not include.
    const tolerance = m.architecture.endsWith('ForConditionalGeneration') ? 0.12 : 0.03;
    assert.ok(Math.abs(fromShapes / m.paramsB - 1) <= tolerance, `${m.id}: shapes give ${fromShapes.toFixed(3)}B, catalogue says ${m.paramsB}B`);
  }
});

test('Ollama import flags follow what Ollama\'s converter reads, with a note where it cannot', () => {
  const byId = new Map(catalogue.map((m) => [m.id, m]));
  assert.equal(byId.get('llama-3.2-1b-instruct')?.ollamaImport, true);
  assert.equal(byId.get('gemma-3-4b-it')?.ollamaImport, true);
  assert.equal(byId.get('phi-3.5-mini-instruct')?.ollamaImport, true);
  for (const id of ['mistral-7b-instruct-v0.3', 'qwen3-8b', 'phi-4-mini-instruct']) {
    assert.equal(byId.get(id)?.ollamaImport, false, id);
    assert.match(byId.get(id)?.ollamaImportNote ?? '', /Ollama/);
  }
});

test('validateEntry names what is wrong', () => {
  const errs = validateEntry({ id: 'Bad Id', heads: 6, kvHeads: 4, hfId4bit: 'someone/x' });
  assert.ok(errs.some((e) => e.startsWith('id ')));
  assert.ok(errs.some((e) => e.includes('kvHeads')));
  assert.ok(errs.some((e) => e.includes('hfId4bit')));
  assert.ok(errs.some((e) => e.includes('paramsB')));
});

test('a broken catalogue file is refused with its path', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-cat-'));
  try {
    fs.writeFileSync(path.join(dir, 'models.json'), '{"models": [{"id": "x"}]}');
    assert.throws(() => loadCatalog(dir), /entry 1 \(x\)/);
    fs.writeFileSync(path.join(dir, 'models.json'), '{');
    assert.throws(() => loadCatalog(dir), /cannot be read/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('resolveModel: catalogue ids, unknown ids and folders', () => {
  assert.equal(resolveModel(catalogue, 'qwen2.5-7b-instruct').id, 'qwen2.5-7b-instruct');
  assert.throws(() => resolveModel(catalogue, 'llama-9'), (e: Error & { code?: string }) => e.code === 'MODEL_NOT_FOUND' && /not in the model catalogue/.test(e.message));
  assert.throws(() => resolveModel(catalogue, ' '), (e: Error & { code?: string }) => e.code === 'BAD_REQUEST');
  assert.throws(() => resolveModel(catalogue, './no-such-folder', os.tmpdir()), (e: Error & { code?: string }) => e.code === 'MODEL_NOT_FOUND' && /does not exist/.test(e.message));
});
