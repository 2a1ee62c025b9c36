// Validation: one fixture line per problem, each reported at its line; the good rows still count.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Progress } from '../../shared/types/progress';
import { DEFAULT_TEMPLATE } from './model';
import { scanDataset } from './scan';
import { estimateTokens } from './tokens';

const fixture = (f: string) => path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', f);
const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const tmpFile = (name: string, content: string | Buffer) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-ds-'));
  dirs.push(dir);
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
};

test('errors.jsonl: every problem at its line, with its field; good rows and warnings still count', async () => {
  const r = await scanDataset({ path: fixture('errors.jsonl'), maxSeqLength: 64 });
  assert.equal(r.detection.format, 'messages');
  assert.deepEqual(
    r.issues.map((i) => [i.line, i.severity, i.code, i.field ?? null]),
    [
      [2, 'error', 'INVALID_JSON', null],
      [3, 'error', 'MISSING_FIELD', 'messages'],
      [4, 'error', 'EMPTY_FIELD', 'messages[0].content'],
      [5, 'error', 'UNKNOWN_ROLE', 'messages[0].role'],
      [6, 'warning', 'NOT_ENDING_WITH_ASSISTANT', 'messages'],
      [7, 'error', 'ROLES_NOT_ALTERNATING', 'messages'],
      [8, 'warning', 'DUPLICATE_ROW', null],
      [9, 'warning', 'TOO_LONG', null],
      [10, 'error', 'INVALID_UTF8', null],
      [12, 'error', 'WRONG_TYPE', 'messages[1].content'],
    ],
  );
  assert.match(r.issues[6].message, /same as line 1/);
  assert.match(r.issues[4].message, /will not be trained on/);
  assert.equal(r.rowsRead, 13, 'the blank line 13 is not a row');
  assert.equal(r.goodRows, 6, 'lines 1, 6, 8, 9, 11 and 14');
  assert.equal(r.badRows, 7);
  assert.equal(r.warnings, 3);
  assert.equal(r.preview.at(-1)!.line, 14, 'line numbers stay right after the bad UTF-8 and the blank line');
  assert.equal(r.stats.rows, 6);
  assert.equal(r.stats.truncated, 1);
  assert.equal(r.usable, false);
});

test('errors-dpo.jsonl: chosen equal to rejected, a missing and an empty answer', async () => {
  const r = await scanDataset({ path: fixture('errors-dpo.jsonl') });
  assert.equal(r.detection.format, 'dpo');
  assert.deepEqual(r.issues.map((i) => [i.line, i.code, i.field ?? null]), [
    [2, 'CHOSEN_EQUALS_REJECTED', 'chosen'],
    [3, 'MISSING_FIELD', 'rejected'],
    [4, 'EMPTY_FIELD', 'rejected'],
  ]);
  assert.equal(r.goodRows, 2);
});

test('CSV with broken quoting: the rows before it count, the error names the line', async () => {
  const file = tmpFile('broken.csv', 'instruction,output\nfirst,one\n"multi\nline",two\n"bad"quote,three\nlast,four\n');
  const r = await scanDataset({ path: file });
  assert.deepEqual(r.preview.map((p) => p.line), [2, 3]);
  assert.equal(r.issues.length, 1);
  assert.equal(r.issues[0].code, 'INVALID_RECORD');
  assert.equal(r.issues[0].line, 5);
  assert.equal(r.badRows, 1);
});

test('JSON: a malformed document keeps the records before the break; JSON Lines named .json is read as lines', async () => {
  const broken = tmpFile('broken.json', '[{"text": "one"}, {"text": "two"}, {"text": oops}]');
  const r = await scanDataset({ path: broken });
  assert.equal(r.goodRows, 2);
  assert.deepEqual(r.issues.map((i) => [i.line, i.code]), [[3, 'INVALID_JSON']]);
  const lines = tmpFile('lines.json', '{"text": "a"}\n{"text": "b"}\n');
  const l = await scanDataset({ path: lines });
  assert.equal(l.fileType, 'jsonl');
  assert.equal(l.goodRows, 2);
});

test('a Parquet file in a codec hyparquet cannot read is refused with what to do', async () => {
  await assert.rejects(scanDataset({ path: fixture('text-zstd.parquet') }), (err: { code: string; message: string; hint?: string }) => {
    assert.equal(err.code, 'UNSUPPORTED_FILE');
    assert.match(err.message, /ZSTD/);
    assert.match(err.hint ?? '', /snappy/);
    return true;
  });
});

test('a missing file, a folder and an unknown file type get clear errors', async () => {
  await assert.rejects(scanDataset({ path: '/nonexistent/data.jsonl' }), { code: 'NOT_FOUND' });
  await assert.rejects(scanDataset({ path: os.tmpdir() }), { code: 'BAD_REQUEST' });
  await assert.rejects(scanDataset({ path: tmpFile('notes.txt', 'hello world') }), { code: 'UNSUPPORTED_FILE' });
});

test('statistics: token totals, mean, p95, max, a histogram up to the max sequence length, truncation count', async () => {
  const texts = Array.from({ length: 100 }, (_, i) => 'abcdefg'.repeat(i + 1));
  const file = tmpFile('lengths.jsonl', texts.map((text) => JSON.stringify({ text })).join('\n'));
  const r = await scanDataset({ path: file, maxSeqLength: 150 });
  // What each row should count: the estimate over the row as the default (ChatML) template renders it.
  const expected = texts.map((t) => estimateTokens(DEFAULT_TEMPLATE.renderer.text([{ role: 'assistant', content: t }]))).sort((x, y) => x - y);
  const total = expected.reduce((n, x) => n + x, 0);
  const s = r.stats;
  assert.equal(s.rows, 100);
  assert.equal(s.tokenCounter, 'estimate');
  assert.equal(s.totalTokens, total);
  assert.equal(s.meanTokens, Math.round(total / 100));
  assert.equal(s.p95Tokens, expected[94]);
  assert.equal(s.maxTokens, expected[99]);
  assert.equal(s.truncated, expected.filter((x) => x > 150).length);
  assert.equal(r.issueCounts.TOO_LONG, s.truncated);
  assert.equal(s.maxSeqLength, 150);
  assert.equal(s.histogram.reduce((n, b) => n + b.count, 0), 100, 'every row lands in a bucket');
  for (const b of s.histogram) {
    const width = s.histogram[0].upTo;
    assert.equal(b.count, expected.filter((x) => x > b.upTo - width && x <= b.upTo).length, `bucket up to ${b.upTo}`);
  }
  assert.ok(s.histogram.at(-1)!.upTo >= s.maxTokens);
});

test('progress: a few events a second while a large file is read, and a last one at 100%', async () => {
  const row = JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(200) }, { role: 'assistant', content: 'y'.repeat(200) }] });
  const file = tmpFile('big.jsonl', Array.from({ length: 60_000 }, (_, i) => row.replace('xxx', `${i}x`)).join('\n'));
  const events: (Progress & { t: number })[] = [];
  const t0 = Date.now();
  const r = await scanDataset({ path: file, onProgress: (p) => events.push({ ...p, t: Date.now() }) });
  const secs = (Date.now() - t0) / 1000;
  assert.equal(r.goodRows, 60_000);
  assert.ok(events.length >= 1);
  assert.ok(events.length <= Math.ceil(secs * 4) + 2, `${events.length} events in ${secs}s`);
  const last = events.at(-1)!;
  assert.equal(last.done, last.total);
  assert.equal(last.total, fs.statSync(file).size);
  assert.equal(last.unit, 'bytes');
});
