// Every supported format and file type, each with a real-world quirk, detected and normalised as expected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatasetReport, NormalisedRow } from '../../shared/types/dataset';
import { scanDataset } from './scan';

const fixture = (f: string) => (path.isAbsolute(f) ? f : path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', f));
const rows = (r: DatasetReport): NormalisedRow[] => r.preview.map((p) => p.row);
const u = (content: string) => ({ role: 'user' as const, content });
const a = (content: string) => ({ role: 'assistant' as const, content });
const s = (content: string) => ({ role: 'system' as const, content });

async function scan(file: string, extra: Parameters<typeof scanDataset>[0] extends infer O ? Partial<O> : never = {}) {
  const r = await scanDataset({ path: fixture(file), ...extra });
  assert.equal(r.badRows, 0, JSON.stringify(r.issues));
  assert.equal(r.usable, true);
  return r;
}

test('Alpaca JSONL: an empty input is left out, system and history become turns', async () => {
  const r = await scan('alpaca.jsonl');
  assert.equal(r.detection.format, 'alpaca');
  assert.equal(r.detection.confidence, 1);
  assert.equal(r.fileType, 'jsonl');
  assert.deepEqual(rows(r), [
    { messages: [u('Name the capital of France.'), a('Paris is the capital of France.')] },
    { messages: [u('Translate to German.\n\nGood morning'), a('Guten Morgen')] },
    { messages: [s('You are a terse assistant.'), u('Summarise the text in five words.\n\nThe quick brown fox jumps over the lazy dog while the farmer watches from the porch.'), a('Fox jumps, farmer watches dog.')] },
    { messages: [u('Translate to German: Good morning'), a('Guten Morgen'), u('And in French?'), a('Bonjour')] },
  ]);
});

test('ShareGPT JSONL: a system turn, human/gpt and the user/bot aliases, a top-level system field', async () => {
  const r = await scan('sharegpt.jsonl');
  assert.equal(r.detection.format, 'sharegpt');
  assert.deepEqual(rows(r), [
    { messages: [s('You are a helpful pirate.'), u('Where is the treasure?'), a('Arr, under the old oak tree.')] },
    { messages: [u('Hi!'), a('Hello, how can I help?'), u('What is 2+2?'), a('4.')] },
    { messages: [s('Be funny.'), u('Tell me a joke.'), a('Why did the chicken cross the road? To get to the other side.')] },
  ]);
});

test('OpenAI messages JSONL: a system prompt, and content given as text parts', async () => {
  const r = await scan('messages.jsonl');
  assert.equal(r.detection.format, 'messages');
  assert.deepEqual(rows(r), [
    { messages: [s('You answer in one word.'), u('Colour of the sky?'), a('Blue.')] },
    { messages: [u('Capital of Italy?'), a('Rome.')] },
    { messages: [u('Largest planet?'), a('Jupiter.')] },
  ]);
});

test('prompt/completion JSONL: strings and message lists', async () => {
  const r = await scan('prompt-completion.jsonl');
  assert.equal(r.detection.format, 'prompt_completion');
  assert.deepEqual(rows(r), [
    { messages: [u('Once upon a time'), a(' there was a small dragon who loved books.')] },
    { messages: [u('Count to three.'), a('One, two, three.')] },
  ]);
});

test('plain text JSONL becomes one assistant message a row', async () => {
  const r = await scan('text.jsonl');
  assert.equal(r.detection.format, 'text');
  assert.deepEqual(rows(r)[0], { messages: [a('The mitochondria is the powerhouse of the cell.')] });
});

test('DPO JSONL: strings, message lists with a system prompt, and an implicit prompt shared by chosen and rejected', async () => {
  const r = await scan('dpo.jsonl');
  assert.equal(r.detection.format, 'dpo');
  assert.deepEqual(rows(r), [
    { prompt: [u('What is the capital of Spain?')], chosen: [a('Madrid.')], rejected: [a('Barcelona.')] },
    { prompt: [s('Be brief.'), u('2+2?')], chosen: [a('4')], rejected: [a('5')] },
    { prompt: [u('Say hi.')], chosen: [a('Hi!')], rejected: [a('No.')] },
  ]);
});

test('CSV with quoted newlines and question/answer columns: mapped onto Alpaca, numbered by the line each record starts on', async () => {
  const r = await scan('qa.csv');
  assert.equal(r.fileType, 'csv');
  assert.equal(r.locator, 'line');
  assert.equal(r.detection.format, 'alpaca');
  assert.deepEqual(r.detection.mapping, { instruction: 'question', output: 'answer' });
  assert.deepEqual(r.preview.map((p) => p.line), [2, 4, 5]);
  assert.deepEqual(rows(r), [
    { messages: [u('What is\nthe answer?'), a('It is "42", obviously.')] },
    { messages: [u('What colour is grass?'), a('Green.')] },
    { messages: [u('Multi-line\nanswer, please'), a('Line one\nLine two')] },
  ]);
});

test('TSV and semicolon-separated files: the delimiter is taken from the header line', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-ds-delim-'));
  fs.writeFileSync(path.join(dir, 'data.tsv'), 'prompt\tcompletion\nHello, there\tHi; you\n');
  fs.writeFileSync(path.join(dir, 'data.csv'), 'prompt;completion\n"a;b";c, d\n');
  const tsv = await scan(path.join(dir, 'data.tsv'));
  assert.deepEqual(rows(tsv), [{ messages: [u('Hello, there'), a('Hi; you')] }]);
  const semi = await scan(path.join(dir, 'data.csv'));
  assert.deepEqual(rows(semi), [{ messages: [u('a;b'), a('c, d')] }]);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('Parquet with a list-of-structs column (hyparquet-writer and pyarrow files)', async () => {
  const r = await scan('sharegpt.parquet');
  assert.equal(r.fileType, 'parquet');
  assert.equal(r.locator, 'record');
  assert.equal(r.detection.format, 'sharegpt');
  assert.deepEqual(rows(r)[0], { messages: [s('You are a geography tutor.'), u('Longest river?'), a('The Nile, by most measures.')] });
  assert.equal(r.goodRows, 3);
  // Its int64 column arrives as a number, so the preview can travel as JSON.
  assert.equal(r.preview[1].raw.turns, 4);
  const p = await scan('messages-pyarrow.parquet');
  assert.equal(p.detection.format, 'messages');
  assert.deepEqual(rows(p)[1], { messages: [u('Freezing point?'), a('0 °C.')] });
});

test('JSON: a top-level object holding the array, and a top-level array', async () => {
  const o = await scan('alpaca-object.json');
  assert.equal(o.fileType, 'json');
  assert.equal(o.detection.format, 'alpaca');
  assert.deepEqual(o.preview.map((p) => p.line), [1, 2]);
  assert.deepEqual(rows(o)[1], { messages: [u('Add the numbers.\n\n3 and 4'), a('7')] });
  const arr = await scan('messages-array.json');
  assert.equal(arr.detection.format, 'messages');
  assert.deepEqual(rows(arr)[1], { messages: [s('Reply in caps.'), u('hello'), a('HELLO')] });
});

test('the format and the column mapping can be overridden', async () => {
  // prompt/completion read as Alpaca through a mapping: same conversation, the user's choice wins.
  const r = await scanDataset({ path: fixture('prompt-completion.jsonl'), format: 'alpaca', mapping: { instruction: 'prompt', output: 'completion' } });
  assert.equal(r.detection.format, 'alpaca');
  assert.deepEqual(r.detection.mapping, { instruction: 'prompt', output: 'completion' });
  assert.deepEqual(rows(r), [{ messages: [u('Once upon a time'), a(' there was a small dragon who loved books.')] }]);
  assert.deepEqual(r.issues.map((i) => [i.line, i.code, i.field]), [[2, 'WRONG_TYPE', 'prompt'], [2, 'WRONG_TYPE', 'completion']], 'the row with message lists is not Alpaca');
  const wrong = await scanDataset({ path: fixture('sharegpt.jsonl'), format: 'alpaca' });
  assert.equal(wrong.detection.confidence, 0);
  assert.equal(wrong.goodRows, 0);
  assert.equal(wrong.issueCounts.MISSING_FIELD, 6, 'instruction and output, on each of the 3 rows');
  assert.equal(wrong.usable, false);
});
