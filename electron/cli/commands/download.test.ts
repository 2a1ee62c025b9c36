// `hone download` as a user runs it (a real CLI process), against the stand-in Hub (HF_ENDPOINT), with its
// own HOME so ~/.cache/huggingface is the test's.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../core/paths';
import { FakeHub, sampleRepoFiles } from '../../core/models/test/fake-hub';
import type { ModelSpec } from '../../shared/types/model';

// The first open catalogue model with both repos, not the demo (which has a PyPI fallback of its own, see
// demo/integration/ensure.test.ts): served by the stand-in Hub under its real repo ids.
const catalogue = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'resources', 'models.json'), 'utf8')) as { models: ModelSpec[] }).models;
const open = catalogue.find((m) => !m.demo && !m.gated && m.hfId && m.hfId4bit)!;
const files = sampleRepoFiles(200 * 1024);
let hub: FakeHub;

before(async () => {
  hub = await new FakeHub({
    'acme/tiny-chat': { files, refs: { 'v1.0': { sha: 'c'.repeat(40), files } } },
    'acme/gated-chat': { files, gated: true, allowedTokens: ['hf_goodtoken123'], fineGrainedTokens: ['hf_finegrained01'] },
    [open.hfId!]: { files },
    [open.hfId4bit!]: { files },
  }).start();
});
const dirs: string[] = [];
after(async () => {
  await hub.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
beforeEach(() => hub.clearFaults());

const HF_VARS = ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HF_TOKEN_PATH', 'HF_HOME', 'HF_HUB_CACHE', 'HUGGINGFACE_HUB_CACHE', 'XDG_CACHE_HOME', 'HF_HUB_OFFLINE', 'HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy'];

function hone(args: string[], opts: { home: string; stdin?: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, HF_ENDPOINT: hub.url, HOME: opts.home, HONE_DATA_DIR: path.join(opts.home, 'data'), ...opts.env };
    for (const v of HF_VARS) if (!opts.env || !(v in opts.env)) delete env[v];
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
const cacheOf = (home: string) => path.join(home, '.cache', 'huggingface', 'hub');

test('hone download <repo> --json: into the HF cache, then answers from it without a file request', async () => {
  const home = tmp();
  const first = await hone(['acme/tiny-chat', '--json'], { home });
  assert.equal(first.code, 0, first.stderr);
  const r = JSON.parse(first.stdout) as { path: string; files: number; alreadyComplete: boolean; repo: string; commit: string };
  assert.equal(r.repo, 'acme/tiny-chat');
  assert.equal(r.path, path.join(cacheOf(home), 'models--acme--tiny-chat', 'snapshots', hub.sha));
  assert.equal(r.commit, hub.sha);
  assert.equal(r.files, 8);
  assert.equal(r.alreadyComplete, false);
  assert.ok(fs.existsSync(path.join(r.path, 'model-00002-of-00002.safetensors')));
  hub.requests.length = 0;
  const second = await hone(['acme/tiny-chat', '--json'], { home });
  const again = JSON.parse(second.stdout) as { alreadyComplete: boolean; update?: unknown };
  assert.equal(again.alreadyComplete, true);
  assert.equal(again.update, undefined, 'up to date');
  assert.deepEqual(hub.fileRequests(), [], 'not a byte of the model: only the update check asked the Hub');
});

test('hone download <catalogue id>: the 16-bit repo by default, the 4-bit one with --variant 4bit, with progress', async () => {
  const home = tmp();
  const r = await hone([open.id], { home });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Downloaded: ${open.hfId!.replace('.', '\\.')} at ${hub.sha.slice(0, 7)} \\(8 files`));
  assert.match(r.stderr, /\(100%\)/);
  const q = await hone([open.id, '--variant', '4bit', '--json'], { home });
  assert.equal(JSON.parse(q.stdout).repo, open.hfId4bit);
});

test('--revision downloads a tag; a newer commit on the Hub is offered, and --update fetches it', async () => {
  const home = tmp();
  const v1 = await hone(['acme/tiny-chat', '--revision', 'v1.0', '--json'], { home });
  assert.equal(v1.code, 0, v1.stderr);
  assert.equal(JSON.parse(v1.stdout).commit, 'c'.repeat(40));
  await hone(['acme/tiny-chat', '--revision', 'main'], { home });
  const before = hub.sha;
  hub.sha = 'd'.repeat(40);
  try {
    const offered = await hone(['acme/tiny-chat'], { home });
    assert.match(offered.stdout, /Already here: acme\/tiny-chat at aaaaaaa/);
    assert.match(offered.stdout, /newer commit of main \(aaaaaaa -> ddddddd: 0 file\(s\), 0 B\)\. Run `hone download acme\/tiny-chat --update`/);
    const updated = await hone(['acme/tiny-chat', '--update', '--json'], { home });
    assert.equal(JSON.parse(updated.stdout).commit, hub.sha);
  } finally {
    hub.sha = before;
  }
});

test('a gated repo: a clear error without a token; --token-stdin works and is not saved unless asked', async () => {
  const home = tmp();
  const denied = await hone(['acme/gated-chat'], { home });
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /gated model/);
  assert.match(denied.stderr, /Accept the licence on .*acme\/gated-chat/);
  const ok = await hone(['acme/gated-chat', '--token-stdin', '--json'], { home, stdin: 'hf_goodtoken123\n' });
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(!(ok.stdout + ok.stderr).includes('hf_goodtoken123'), 'the token is never printed');
  assert.ok(!fs.existsSync(path.join(home, 'data', 'secrets', 'hf-token')));
  const saved = await hone(['acme/gated-chat', '--token-stdin', '--save-token', '--json'], { home: tmp(), stdin: 'hf_goodtoken123' });
  assert.equal(saved.code, 0, saved.stderr);
});

test('logged in with `hf auth login`: the gated download just works, and says which token it used', async () => {
  const home = tmp();
  fs.mkdirSync(path.join(home, '.cache', 'huggingface'), { recursive: true });
  fs.writeFileSync(path.join(home, '.cache', 'huggingface', 'token'), 'hf_goodtoken123');
  const r = await hone(['acme/gated-chat'], { home });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Using the Hugging Face token from `hf auth login`, .*\.cache\/huggingface\/token/);
  assert.ok(!(r.stdout + r.stderr).includes('hf_goodtoken123'));
});

test('each Hub failure has its own message: fine-grained token, rate limit (with the token advice)', async () => {
  const fine = await hone(['acme/gated-chat'], { home: tmp(), env: { HF_TOKEN: 'hf_finegrained01' } });
  assert.equal(fine.code, 1);
  assert.match(fine.stderr, /fine-grained token without access to public gated repos.*The Hub says: "Please enable access to public gated repositories/);
  assert.match(fine.stderr, /Read access to contents of all public gated repos/);
  hub.rateLimitNext(3600, { scope: 'api' });
  const limited = await hone(['acme/tiny-chat'], { home: tmp() });
  assert.equal(limited.code, 1);
  assert.match(limited.stderr, /rate-limiting .*wait 3600 s/);
  assert.match(limited.stderr, /signed-in users get a much higher limit/);
});

test('usage errors exit 2; an unknown model exits 1 with what to do', async () => {
  const home = tmp();
  assert.equal((await hone(['acme/tiny-chat', '--variant', '8bit'], { home })).code, 2);
  const unknown = await hone(['no-such-model', '--json'], { home });
  assert.equal(unknown.code, 1);
  assert.equal(JSON.parse(unknown.stdout).error.code, 'MODEL_NOT_FOUND');
});
