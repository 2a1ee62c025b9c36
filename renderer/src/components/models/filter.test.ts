import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ModelSpec } from '../../../../electron/shared/types/model';
import { filterModels, sizeLabel, sortModels } from './filter';

const catalogue = (JSON.parse(fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../resources/models.json'), 'utf8')) as { models: ModelSpec[] }).models;

test('search matches every word against name, id, family, licence and size', () => {
  assert.deepEqual(filterModels(catalogue, 'llama 8b').map((m) => m.id), ['llama-3.1-8b-instruct']);
  assert.deepEqual(filterModels(catalogue, 'QWEN3').map((m) => m.family), ['qwen3', 'qwen3', 'qwen3', 'qwen3']);
  assert.ok(filterModels(catalogue, 'mit').every((m) => m.license === 'mit'));
  assert.deepEqual(filterModels(catalogue, 'demo').map((m) => m.id), ['smollm2-135m-instruct']);
  assert.deepEqual(filterModels(catalogue, 'smollm').map((m) => m.id), ['smollm2-135m-instruct', 'smollm2-360m-instruct', 'smollm2-1.7b-instruct']);
  assert.equal(filterModels(catalogue, '  ').length, catalogue.length);
  assert.deepEqual(filterModels(catalogue, 'nothing-like-this'), []);
});

test('the demo comes first, then models from small to large; sizes read like people say them', () => {
  const sorted = sortModels(catalogue);
  assert.equal(sorted[0].id, 'smollm2-135m-instruct');
  for (let i = 2; i < sorted.length; i++) assert.ok(sorted[i - 1].paramsB <= sorted[i].paramsB);
  assert.equal(sizeLabel(0.00033), '330K params');
  assert.equal(sizeLabel(0.49), '490M params');
  assert.equal(sizeLabel(8.03), '8.0B params');
  assert.equal(sizeLabel(70.55), '71B params');
});
