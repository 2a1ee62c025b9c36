// `hone data` as a user runs it: a real CLI process. Exit 0 usable, 1 not, 2 usage error.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../core/paths';
import type { DatasetReport, ImportedDataset } from '../../shared/types/dataset';

const fixture = (f: string) => path.join(REPO_ROOT, 'electron', 'core', 'datasets', 'fixtures', f);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-cli-data-'));
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function hone(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'electron', 'cli', 'bin.mjs'), 'data', ...args], { env: { ...process.env, HONE_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

test('check a good file: exit 0, the format, counts and token statistics', async () => {
  const r = await hone(['check', fixture('qa.csv'), '--max-seq-len', '256']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Format: alpaca \(100% of the sampled rows match/);
  assert.match(r.stdout, /Columns: question -> instruction, answer -> output/);
  assert.match(r.stdout, /Rows: 3 read, 3 good, 0 bad/);
  assert.match(r.stdout, /Tokens \(an estimate/);
  assert.match(r.stdout, /Usable: yes/);
});

test('check a broken file: exit 1 and every problem with its line', async () => {
  const r = await hone(['check', fixture('errors.jsonl'), '--max-seq-len', '64']);
  assert.equal(r.code, 1);
  for (const [line, code] of [[2, 'INVALID_JSON'], [3, 'MISSING_FIELD'], [4, 'EMPTY_FIELD'], [5, 'UNKNOWN_ROLE'], [6, 'NOT_ENDING_WITH_ASSISTANT'], [7, 'ROLES_NOT_ALTERNATING'], [8, 'DUPLICATE_ROW'], [9, 'TOO_LONG'], [10, 'INVALID_UTF8'], [12, 'WRONG_TYPE']]) {
    assert.match(r.stdout, new RegExp(`^  line ${line} .*${code}`, 'm'));
  }
  assert.match(r.stdout, /Usable: no/);
});

test('check --json --model <folder>: the report as JSON, counted with the model tokenizer', async () => {
  const r = await hone(['check', fixture('sharegpt.parquet'), '--json', '--model', fixture('tiny-model')]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as DatasetReport;
  assert.equal(report.detection.format, 'sharegpt');
  assert.equal(report.stats.tokenCounter, 'tokenizer');
  assert.equal(report.goodRows, 3);
});

test('--format and --map override detection', async () => {
  const r = await hone(['check', fixture('prompt-completion.jsonl'), '--format', 'alpaca', '--map', 'instruction=prompt,output=completion', '--json']);
  const report = JSON.parse(r.stdout) as DatasetReport;
  assert.equal(report.detection.format, 'alpaca');
  assert.equal(report.goodRows, 1);
  assert.equal(r.code, 1, 'the row with message lists is not Alpaca');
});

test('usage errors exit 2', async () => {
  for (const args of [['check'], ['check', fixture('dpo.jsonl'), '--format', 'yaml'], ['frobnicate', 'x'], ['check', fixture('dpo.jsonl'), '--max-seq-len', 'abc'], ['check', 'a', 'b']]) {
    const r = await hone(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.length > 0);
  }
});

test('a missing file exits 1 with a message', async () => {
  const r = await hone(['check', '/nonexistent/file.jsonl']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /No file at/);
});

test('import: refuses bad rows unless --skip-bad, then writes the normalised rows with an eval split', async () => {
  const refused = await hone(['import', fixture('errors.jsonl')]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /7 of 13 rows/);
  const r = await hone(['import', fixture('errors.jsonl'), '--skip-bad', '--eval-percent', '20', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout) as ImportedDataset;
  assert.equal(res.trainRows + res.evalRows, 6);
  assert.equal(res.evalRows, 1);
  assert.equal(res.skippedRows, 7);
  assert.ok(res.trainPath.startsWith(path.join(dataDir, 'datasets')));
});
