// `hone download` as a user runs it (a real CLI process), against the stand-in Hub (HF_ENDPOINT).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../core/paths';
import { FakeHub, sampleRepoFiles } from '../../core/models/test/fake-hub';
import type { ModelSpec } from '../../shared/types/model';

// The first open catalogue model with both repos: served by the stand-in Hub under its real repo ids.
const catalogue = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'resources', 'models.json'), 'utf8')) as { models: ModelSpec[] }).models;
const open = catalogue.find((m) => !m.gated && m.hfId && m.hfId4bit)!;
const files = sampleRepoFiles(200 * 1024);
let hub: FakeHub;

before(async () => {
  hub = await new FakeHub({
    'acme/tiny-chat': { files },
    'acme/gated-chat': { files, gated: true, allowedTokens: ['hf_goodtoken123'] },
    [open.hfId!]: { files },
    [open.hfId4bit!]: { files },
  }).start();
});
const dirs: string[] = [];
after(async () => {
  await hub.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function hone(args: string[], opts: { dataDir: string; stdin?: string }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, HF_ENDPOINT: hub.url, HONE_DATA_DIR: opts.dataDir, HF_TOKEN: '' };
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'electron', 'cli', 'bin.mjs'), 'download', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(opts.stdin ?? '');
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-cli-dl-'));
  dirs.push(d);
  return d;
};

test('hone download <repo> --json: downloads, then answers at once the second time', async () => {
  const dataDir = tmp();
  const first = await hone(['acme/tiny-chat', '--json'], { dataDir });
  assert.equal(first.code, 0, first.stderr);
  const r = JSON.parse(first.stdout) as { path: string; files: number; alreadyComplete: boolean; repo: string };
  assert.equal(r.repo, 'acme/tiny-chat');
  assert.equal(r.path, path.join(dataDir, 'models', 'hf', 'acme', 'tiny-chat'));
  assert.equal(r.files, 8);
  assert.equal(r.alreadyComplete, false);
  assert.ok(fs.existsSync(path.join(r.path, 'model-00002-of-00002.safetensors')));
  const n = hub.requests.length;
  const second = await hone(['acme/tiny-chat', '--json'], { dataDir });
  assert.equal(JSON.parse(second.stdout).alreadyComplete, true);
  assert.equal(hub.requests.length, n, 'no request to the Hub');
});

test('hone download <catalogue id>: the 16-bit repo by default, the 4-bit one with --variant 4bit, with progress', async () => {
  const dataDir = tmp();
  const r = await hone([open.id], { dataDir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Downloaded ${open.hfId!.replace('.', '\\.')} \\(8 files`));
  assert.match(r.stderr, /: 0 B \/ .* \(0%\)/);
  assert.match(r.stderr, /\(100%\)/);
  const q = await hone([open.id, '--variant', '4bit', '--json'], { dataDir });
  assert.equal(JSON.parse(q.stdout).repo, open.hfId4bit);
});

test('a gated repo: a clear error without a token; --token-stdin works and is not saved unless asked', async () => {
  const dataDir = tmp();
  const denied = await hone(['acme/gated-chat'], { dataDir });
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /gated model/);
  assert.match(denied.stderr, /Accept the licence on .*acme\/gated-chat/);
  const ok = await hone(['acme/gated-chat', '--token-stdin', '--json'], { dataDir, stdin: 'hf_goodtoken123\n' });
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(!(ok.stdout + ok.stderr).includes('hf_goodtoken123'), 'the token is never printed');
  assert.ok(!fs.existsSync(path.join(dataDir, 'secrets', 'hf-token')));
  const saved = await hone(['acme/gated-chat', '--token-stdin', '--save-token', '--json'], { dataDir: tmp(), stdin: 'hf_goodtoken123' });
  assert.equal(saved.code, 0, saved.stderr);
});

test('usage errors exit 2; an unknown model exits 1 with what to do', async () => {
  const dataDir = tmp();
  assert.equal((await hone(['acme/tiny-chat', '--variant', '8bit'], { dataDir })).code, 2);
  const unknown = await hone(['no-such-model', '--json'], { dataDir });
  assert.equal(unknown.code, 1);
  assert.equal(JSON.parse(unknown.stdout).error.code, 'MODEL_NOT_FOUND');
});
