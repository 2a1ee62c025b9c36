// The models.* channels over a real core context, against the stand-in Hub (test/fake-hub.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pickRepo } from '../../shared/model-repo';
import { createSettingsHandlers } from '../settings/handlers';
import { cacheRepoDir } from './hf-cache';
import { modelPathFor } from './local';
import { FakeHub, sampleRepoFiles } from './test/fake-hub';
import { cleanupTestDirs, testContext } from './test/context';

const files = sampleRepoFiles();
let hub: FakeHub;
before(async () => {
  hub = await new FakeHub({
    'acme/tiny-chat': { files },
    'acme/gated-chat': { files, gated: true, allowedTokens: ['hf_goodtoken123'] },
  }).start();
});
after(async () => {
  await hub.close();
  cleanupTestDirs();
});

test('pickRepo: the 4-bit repo only for QLoRA on CUDA', () => {
  const spec = { hfId: 'a/b', hfId4bit: 'a/b-4bit' };
  assert.equal(pickRepo(spec, { method: 'qlora', load_in_4bit: true, device: 'cuda' }), 'a/b-4bit');
  assert.equal(pickRepo(spec, { method: 'lora', load_in_4bit: false, device: 'cuda' }), 'a/b');
  assert.equal(pickRepo(spec, { method: 'qlora', load_in_4bit: true, device: 'cpu' }), 'a/b');
  assert.equal(pickRepo(spec, null), 'a/b');
  assert.equal(pickRepo({ hfId: 'a/b', hfId4bit: null }, { method: 'qlora', load_in_4bit: true, device: 'cuda' }), 'a/b');
});

test('a catalogue id downloads into ~/.cache/huggingface/hub, with progress events, then shows as local', async () => {
  const { ctx, h, close, events, defaultCache } = testContext(hub);
  assert.equal(modelPathFor(ctx, 'tiny-chat'), null);
  const { path: dir } = await h['models.download']({ model: 'tiny-chat' });
  assert.equal(dir, path.join(cacheRepoDir(defaultCache, 'acme/tiny-chat'), 'snapshots', hub.sha));
  const progress = events.filter((e) => e.channel === 'models.progress').map((e) => e.payload as { model: string; done: number; total: number | null; stage: string });
  assert.ok(progress.length > 2);
  assert.ok(progress.every((p) => p.model === 'acme/tiny-chat'));
  assert.equal(progress.at(-1)!.stage, 'Downloaded');
  assert.equal(progress.at(-1)!.done, progress.at(-1)!.total);
  const local = await h['models.local']();
  assert.deepEqual(local.map((l) => [l.model, l.path, l.commit, l.store]), [['acme/tiny-chat', dir, hub.sha, 'hf-cache']]);
  assert.equal(local[0].sizeBytes, progress.at(-1)!.total);
  // What a training asks: the folder to load, for the plan it runs (QLoRA on CUDA may use the 16-bit download).
  assert.equal(modelPathFor(ctx, 'tiny-chat'), dir);
  assert.equal(modelPathFor(ctx, 'tiny-chat', { method: 'qlora', load_in_4bit: true, device: 'cuda' }), dir);
  assert.equal(modelPathFor(ctx, 'acme/tiny-chat'), dir);
  await close();
});

test('a local folder works offline: no request reaches the Hub', async () => {
  const { ctx, h, close } = testContext(hub);
  const folder = path.join(ctx.paths.dataDir, 'my-model');
  fs.mkdirSync(folder, { recursive: true });
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
  const { ctx, h, close, events } = testContext(hub);
  assert.deepEqual(await h['models.tokenStatus'](), { hasToken: false, storage: 'file', source: null });
  await assert.rejects(h['models.download']({ model: 'gated-chat' }), { code: 'GATED_MODEL' });
  await assert.rejects(h['models.setToken']({ token: 'hf bad token' }), (e: Error) => !e.message.includes('hf bad token'));
  assert.deepEqual(await h['models.setToken']({ token: ' hf_goodtoken123 ' }), { hasToken: true, storage: 'file', source: 'saved' });
  const file = path.join(ctx.paths.dataDir, 'secrets', 'hf-token');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(fs.readFileSync(file, 'utf8'), 'hf_goodtoken123');
  await h['models.download']({ model: 'gated-chat' });
  const status = await h['models.tokenStatus']();
  assert.ok(!JSON.stringify([status, events, await h['models.local'](), await h['models.hubStatus']()]).includes('hf_goodtoken123'));
  const settingsFile = path.join(ctx.paths.dataDir, 'settings.json');
  assert.ok(!fs.existsSync(settingsFile) || !fs.readFileSync(settingsFile, 'utf8').includes('hf_goodtoken123'), 'never in settings.json');
  assert.deepEqual(await h['models.setToken']({ token: null }), { hasToken: false, storage: 'file', source: null });
  assert.ok(!fs.existsSync(file));
  await close();
});

test('cancel stops a running download and keeps what arrived; the next download resumes', async () => {
  const { ctx, h, close, defaultCache } = testContext(hub);
  hub.chunkDelayMs = 40;
  try {
    let started!: () => void;
    const arrived = new Promise<void>((r) => (started = r));
    ctx.bus.on('models.progress', (p) => p.detail?.includes('.safetensors') && p.done > 100 * 1024 && started());
    const running = h['models.download']({ model: 'acme/tiny-chat' });
    const joined = h['models.download']({ model: 'acme/tiny-chat' });
    await arrived;
    assert.deepEqual(await h['models.cancelDownload']({ model: 'acme/tiny-chat' }), { cancelled: true });
    await assert.rejects(running, { code: 'CANCELLED' });
    await assert.rejects(joined, { code: 'CANCELLED' }, 'a second request joins the first download');
    assert.deepEqual(await h['models.cancelDownload']({ model: 'acme/tiny-chat' }), { cancelled: false });
    const blobs = path.join(cacheRepoDir(defaultCache, 'acme/tiny-chat'), 'blobs');
    const parts = fs.readdirSync(blobs).filter((f) => f.endsWith('.hone.incomplete'));
    assert.ok(parts.length >= 1);
    const kept = new Map(parts.map((p) => [p, fs.statSync(path.join(blobs, p)).size]));
    assert.ok([...kept.values()].some((n) => n > 0));
    hub.chunkDelayMs = 0;
    hub.requests.length = 0;
    await h['models.download']({ model: 'acme/tiny-chat' });
    const ranges = hub.cdnRequests().map((q) => q.range).filter(Boolean);
    for (const n of kept.values()) if (n > 0) assert.ok(ranges.includes(`bytes=${n}-`), `resumed at ${n}: ${ranges.join(' ')}`);
    assert.deepEqual((await h['models.local']()).map((l) => l.model), ['acme/tiny-chat']);
  } finally {
    hub.chunkDelayMs = 0;
    await close();
  }
});

test('settings: a models folder takes new downloads as plain folders; storage says where models live and their size', async () => {
  const { ctx, h, close, defaultCache } = testContext(hub);
  const folder = path.join(ctx.paths.dataDir, '..', 'my-models');
  const settings = createSettingsHandlers(ctx);
  await assert.rejects(settings['settings.set']({ modelsDir: 'relative/dir' }), { code: 'BAD_REQUEST' });
  await settings['settings.set']({ modelsDir: folder });
  const { path: dir } = await h['models.download']({ model: 'tiny-chat' });
  assert.equal(dir, path.join(path.resolve(folder), 'acme', 'tiny-chat'));
  assert.ok(!fs.lstatSync(path.join(dir, 'config.json')).isSymbolicLink());
  const storage = await h['models.storage']();
  assert.deepEqual(storage.locations.map((l) => [l.kind, l.from, l.downloadsGoHere]), [['folder', 'settings', true], ['hf-cache', 'default', false], ['hone-legacy', 'data folder', false]]);
  assert.equal(storage.locations[1].dir, defaultCache);
  assert.equal(storage.locations[0].models, 1);
  assert.ok(storage.locations[0].sizeBytes >= storage.models[0].sizeBytes && storage.models[0].sizeBytes > 0);
  assert.deepEqual(storage.models.map((m) => [m.model, m.store]), [['acme/tiny-chat', 'folder']]);
  await close();
});

test('hub status: the endpoint and proxy in use and where each comes from; settings are checked before saving', async () => {
  const { ctx, h, close } = testContext(hub);
  const settings = createSettingsHandlers(ctx);
  let s = await h['models.hubStatus']();
  assert.deepEqual([s.endpoint, s.endpointFrom, s.proxy, s.proxyFrom, s.token], [hub.url, 'HF_ENDPOINT', null, null, null]);
  await assert.rejects(settings['settings.set']({ hubProxy: 'socks5://127.0.0.1:1080' }), (e: Error & { code?: string }) => e.code === 'BAD_REQUEST' && /http/.test(e.message));
  await assert.rejects(settings['settings.set']({ hubEndpoint: 'not a url' }), { code: 'BAD_REQUEST' });
  await settings['settings.set']({ hubProxy: 'http://proxy.example:3128/', hubEndpoint: ' https://hf-mirror.com/ ' });
  assert.equal(ctx.settings.get().hubEndpoint, 'https://hf-mirror.com');
  s = await h['models.hubStatus']();
  // HF_ENDPOINT in the environment wins over Settings, as the environment does for Hone's other settings.
  assert.deepEqual([s.endpoint, s.endpointFrom, s.proxy, s.proxyFrom], [hub.url, 'HF_ENDPOINT', 'http://proxy.example:3128', 'settings']);
  delete ctx.env.HF_ENDPOINT;
  s = await h['models.hubStatus']();
  assert.deepEqual([s.endpoint, s.endpointFrom], ['https://hf-mirror.com', 'settings']);
  await settings['settings.set']({ hubProxy: '', hubEndpoint: null });
  assert.equal(ctx.settings.get().hubProxy, null);
  await close();
});

test('a mirror set in Settings (no HF_ENDPOINT) is where downloads come from', async () => {
  const { ctx, h, close } = testContext(hub, { env: { HF_ENDPOINT: '' } });
  await createSettingsHandlers(ctx)['settings.set']({ hubEndpoint: hub.url });
  assert.equal((await h['models.hubStatus']()).endpointFrom, 'settings');
  hub.requests.length = 0;
  await h['models.download']({ model: 'tiny-chat' });
  assert.ok(hub.requests.some((q) => q.path.startsWith('/api/models/acme/tiny-chat/')));
  await close();
});
