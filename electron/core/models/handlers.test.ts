// The models.* channels over a real core context, against the stand-in Hub (test/fake-hub.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pickRepo } from '../../shared/model-repo';
import type { ModelSpec } from '../../shared/types/model';
import { createContext } from '../app';
import { REPO_ROOT } from '../paths';
import type { CoreContext } from '../context';
import { createModelHandlers } from './handlers';
import { repoDir } from './hub';
import { modelPathFor } from './local';
import { FakeHub, sampleRepoFiles } from './test/fake-hub';

const files = sampleRepoFiles();
let hub: FakeHub;
before(async () => {
  hub = await new FakeHub({
    'acme/tiny-chat': { files },
    'acme/gated-chat': { files, gated: true, allowedTokens: ['hf_goodtoken123'] },
  }).start();
});
const dirs: string[] = [];
after(async () => {
  await hub.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

// Catalogue entries shaped like the real ones (the catalogue validates them), pointing at stand-in repos.
const template = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'resources', 'models.json'), 'utf8')) as { models: ModelSpec[] }).models.find((m) => !m.demo)!;
const entry = (id: string, hfId: string, gated = false): ModelSpec => ({ ...template, id, name: id, hfId, hfId4bit: `unsloth/${id}-bnb-4bit`, gated });

function setup(): { ctx: CoreContext; h: ReturnType<typeof createModelHandlers>; close: () => Promise<void>; events: unknown[] } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-models-'));
  dirs.push(dataDir);
  const resourcesDir = path.join(dataDir, 'res');
  fs.mkdirSync(resourcesDir);
  fs.writeFileSync(path.join(resourcesDir, 'models.json'), JSON.stringify({ models: [entry('tiny-chat', 'acme/tiny-chat'), entry('gated-chat', 'acme/gated-chat', true)] }));
  const { ctx, close } = createContext({ mode: 'headless', paths: { dataDir, resourcesDir }, env: { HF_ENDPOINT: hub.url } });
  const events: unknown[] = [];
  ctx.bus.onAny((channel, payload) => events.push({ channel, payload }));
  return { ctx, h: createModelHandlers(ctx, { retryDelayMs: 1, progressIntervalMs: 0, freeBytes: async () => 1e12 }), close, events };
}

test('pickRepo: the 4-bit repo only for QLoRA on CUDA', () => {
  const spec = { hfId: 'a/b', hfId4bit: 'a/b-4bit' };
  assert.equal(pickRepo(spec, { method: 'qlora', load_in_4bit: true, device: 'cuda' }), 'a/b-4bit');
  assert.equal(pickRepo(spec, { method: 'lora', load_in_4bit: false, device: 'cuda' }), 'a/b');
  assert.equal(pickRepo(spec, { method: 'qlora', load_in_4bit: true, device: 'cpu' }), 'a/b');
  assert.equal(pickRepo(spec, null), 'a/b');
  assert.equal(pickRepo({ hfId: 'a/b', hfId4bit: null }, { method: 'qlora', load_in_4bit: true, device: 'cuda' }), 'a/b');
});

test('a catalogue id downloads its repo, with progress events, then shows as local', async () => {
  const { ctx, h, close, events } = setup();
  assert.equal(modelPathFor(ctx, 'tiny-chat'), null);
  const { path: dir } = await h['models.download']({ model: 'tiny-chat' });
  assert.equal(dir, repoDir(ctx.paths.dataDir, 'acme/tiny-chat'));
  const progress = events.filter((e) => (e as { channel: string }).channel === 'models.progress').map((e) => (e as { payload: { model: string; done: number; total: number } }).payload);
  assert.ok(progress.length > 2);
  assert.ok(progress.every((p) => p.model === 'acme/tiny-chat'));
  assert.equal(progress.at(-1)!.done, progress.at(-1)!.total);
  const local = await h['models.local']();
  assert.deepEqual(local.map((l) => [l.model, l.path]), [['acme/tiny-chat', dir]]);
  assert.equal(local[0].sizeBytes, progress.at(-1)!.total);
  // What a training asks: the folder to load, for the plan it runs (QLoRA on CUDA may use the 16-bit download).
  assert.equal(modelPathFor(ctx, 'tiny-chat'), dir);
  assert.equal(modelPathFor(ctx, 'tiny-chat', { method: 'qlora', load_in_4bit: true, device: 'cuda' }), dir);
  assert.equal(modelPathFor(ctx, 'acme/tiny-chat'), dir);
  await close();
});

test('a local folder works offline: no request reaches the Hub', async () => {
  const { ctx, h, close } = setup();
  const folder = path.join(ctx.paths.dataDir, 'my-model');
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'config.json'), '{}');
  const before = hub.requests.length;
  assert.deepEqual(await h['models.download']({ model: folder }), { path: folder });
  assert.deepEqual(await h['models.download']({ model: `local:${folder}` }), { path: folder });
  assert.equal(hub.requests.length, before);
  assert.equal(modelPathFor(ctx, `local:${folder}`), folder);
  await assert.rejects(h['models.download']({ model: path.join(ctx.paths.dataDir, 'nothing') }), { code: 'MODEL_NOT_FOUND' });
  await assert.rejects(h['models.download']({ model: 'no-such-model' }), { code: 'MODEL_NOT_FOUND' });
  await close();
});

test('the token: saved in a 0600 file in headless mode, used for gated repos, never returned or emitted', async () => {
  const { ctx, h, close, events } = setup();
  assert.deepEqual(await h['models.tokenStatus'](), { hasToken: false, storage: 'file' });
  await assert.rejects(h['models.download']({ model: 'gated-chat' }), { code: 'GATED_MODEL' });
  await assert.rejects(h['models.setToken']({ token: 'hf bad token' }), (e: Error) => !e.message.includes('hf bad token'));
  assert.deepEqual(await h['models.setToken']({ token: ' hf_goodtoken123 ' }), { hasToken: true });
  const file = path.join(ctx.paths.dataDir, 'secrets', 'hf-token');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(fs.readFileSync(file, 'utf8'), 'hf_goodtoken123');
  await h['models.download']({ model: 'gated-chat' });
  const status = await h['models.tokenStatus']();
  assert.ok(!JSON.stringify([status, events, await h['models.local']()]).includes('hf_goodtoken123'));
  assert.deepEqual(await h['models.setToken']({ token: null }), { hasToken: false });
  assert.ok(!fs.existsSync(file));
  await close();
});

test('cancel stops a running download and keeps what arrived; the next download resumes', async () => {
  const { ctx, h, close } = setup();
  hub.chunkDelayMs = 40;
  try {
    let started!: () => void;
    const arrived = new Promise<void>((r) => (started = r));
    ctx.bus.on('models.progress', (p) => p.detail?.endsWith('.safetensors') && p.done > 100 * 1024 && started());
    const running = h['models.download']({ model: 'acme/tiny-chat' });
    const joined = h['models.download']({ model: 'acme/tiny-chat' });
    await arrived;
    assert.deepEqual(await h['models.cancelDownload']({ model: 'acme/tiny-chat' }), { cancelled: true });
    await assert.rejects(running, { code: 'CANCELLED' });
    await assert.rejects(joined, { code: 'CANCELLED' }, 'a second request joins the first download');
    assert.deepEqual(await h['models.cancelDownload']({ model: 'acme/tiny-chat' }), { cancelled: false });
    const dir = repoDir(ctx.paths.dataDir, 'acme/tiny-chat');
    const parts = fs.readdirSync(dir).filter((f) => f.endsWith('.part'));
    assert.equal(parts.length, 1);
    const kept = fs.statSync(path.join(dir, parts[0])).size;
    assert.ok(kept > 0);
    hub.chunkDelayMs = 0;
    hub.requests.length = 0;
    await h['models.download']({ model: 'acme/tiny-chat' });
    const resumed = hub.fileRequests().find((q) => q.path.startsWith('/cdn/') && q.path.endsWith(parts[0].replace(/\.part$/, '')));
    assert.equal(resumed?.range, `bytes=${kept}-`);
    assert.deepEqual((await h['models.local']()).map((l) => l.model), ['acme/tiny-chat']);
  } finally {
    hub.chunkDelayMs = 0;
    await close();
  }
});
