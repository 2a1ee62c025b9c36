// Models already in the user's Hugging Face cache (laid out here exactly as huggingface_hub writes it, not
// by Hone's code) are used without a byte downloaded, online or off; what is missing is fetched alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cacheRepoDir, hfCacheLocations } from './hf-cache';
import { modelPathFor } from './local';
import { FakeHub, gitBlobId, sampleRepoFiles } from './test/fake-hub';
import { cleanupTestDirs, testContext } from './test/context';

const files = sampleRepoFiles(100 * 1024);
const WANTED = ['config.json', 'generation_config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json'];
let hub: FakeHub;
before(async () => {
  hub = await new FakeHub({ 'acme/tiny-chat': { files } }).start();
});
after(async () => {
  await hub.close();
  cleanupTestDirs();
});

/** What `hf download` / from_pretrained leave: blobs named by their etag, relative links, refs/main. */
function seedCache(cache: string, commit: string, names: string[], opts: { ref?: boolean } = {}): string {
  const repo = cacheRepoDir(cache, 'acme/tiny-chat');
  const snap = path.join(repo, 'snapshots', commit);
  fs.mkdirSync(snap, { recursive: true });
  fs.mkdirSync(path.join(repo, 'blobs'), { recursive: true });
  for (const name of names) {
    const c = Buffer.from(files[name]);
    const etag = name.endsWith('.safetensors') ? createHash('sha256').update(c).digest('hex') : gitBlobId(c);
    fs.writeFileSync(path.join(repo, 'blobs', etag), c);
    fs.symlinkSync(`../../blobs/${etag}`, path.join(snap, name));
  }
  if (opts.ref !== false) {
    fs.mkdirSync(path.join(repo, 'refs'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'refs', 'main'), commit);
  }
  return snap;
}

test('a model already in ~/.cache/huggingface/hub is used without a byte downloaded, online and offline', async () => {
  const { ctx, h, close, defaultCache } = testContext(hub);
  const snap = seedCache(defaultCache, hub.sha, WANTED);
  hub.requests.length = 0;
  assert.deepEqual(await h['models.download']({ model: 'tiny-chat' }), { path: snap });
  assert.equal(hub.requests.length, 0, 'not one request to the Hub');
  assert.equal(modelPathFor(ctx, 'tiny-chat'), snap);
  const [local] = await h['models.local']();
  assert.deepEqual([local.model, local.path, local.commit, local.store], ['acme/tiny-chat', snap, hub.sha, 'hf-cache']);
  ctx.env.HF_HUB_OFFLINE = '1';
  ctx.env.HF_ENDPOINT = 'http://127.0.0.1:9';
  assert.deepEqual(await h['models.download']({ model: 'acme/tiny-chat' }), { path: snap });
  await close();
});

test('offline (HF_HUB_OFFLINE) with nothing in the cache: a clear message, no request', async () => {
  const { h, close } = testContext(hub, { env: { HF_HUB_OFFLINE: '1' } });
  hub.requests.length = 0;
  await assert.rejects(h['models.download']({ model: 'tiny-chat' }), (e: Error & { code?: string; hint?: string }) => e.code === 'NO_NETWORK' && /HF_HUB_OFFLINE/.test(e.message));
  assert.equal(hub.requests.length, 0);
  await close();
});

test('a partial snapshot (a tokenizer fetched by transformers): only the missing files are downloaded, into the same cache', async () => {
  const { h, close, defaultCache } = testContext(hub);
  seedCache(defaultCache, hub.sha, ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model-00001-of-00002.safetensors']);
  hub.bytesSent.clear();
  const { path: dir } = await h['models.download']({ model: 'tiny-chat' });
  assert.equal(dir, path.join(cacheRepoDir(defaultCache, 'acme/tiny-chat'), 'snapshots', hub.sha));
  assert.deepEqual([...hub.bytesSent.keys()].map((k) => k.split('/').pop()).sort(), ['generation_config.json', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json', 'special_tokens_map.json']);
  assert.deepEqual(fs.readdirSync(dir).sort(), WANTED);
  await close();
});

test('every cache location is looked in: a desktop launch without HF_HOME still finds ~/.cache/huggingface/hub, and downloads go to HF_HUB_CACHE', async () => {
  const { ctx, h, close, defaultCache, home } = testContext(hub);
  const custom = path.join(home, 'big-disk', 'hf');
  ctx.env.HF_HUB_CACHE = custom;
  ctx.env.HF_HOME = path.join(home, 'hf-home');
  assert.deepEqual(hfCacheLocations(ctx.env).map((l) => [l.from, l.dir]), [
    ['HF_HUB_CACHE', custom],
    ['HF_HOME', path.join(home, 'hf-home', 'hub')],
    ['default', defaultCache],
  ]);
  const snap = seedCache(defaultCache, hub.sha, WANTED);
  hub.requests.length = 0;
  assert.deepEqual(await h['models.download']({ model: 'tiny-chat' }), { path: snap });
  assert.equal(hub.requests.length, 0);
  fs.rmSync(defaultCache, { recursive: true, force: true });
  const { path: fresh } = await h['models.download']({ model: 'tiny-chat' });
  assert.ok(fresh.startsWith(custom + path.sep), fresh);
  const storage = await h['models.storage']();
  assert.deepEqual(storage.locations.filter((l) => l.downloadsGoHere).map((l) => l.dir), [custom]);
  await close();
});

test('without links (Windows without Developer Mode, or HF_HUB_DISABLE_SYMLINKS) the snapshot holds the files themselves', async () => {
  const { h, close } = testContext(hub, { env: { HF_HUB_DISABLE_SYMLINKS: '1' } });
  const { path: dir } = await h['models.download']({ model: 'tiny-chat' });
  for (const f of WANTED) {
    assert.ok(fs.lstatSync(path.join(dir, f)).isFile(), `${f} is a file`);
    assert.ok(fs.readFileSync(path.join(dir, f)).equals(Buffer.from(files[f])));
  }
  // New blobs moved into the snapshot rather than being kept twice.
  assert.deepEqual(fs.readdirSync(path.join(dir, '..', '..', 'blobs')), []);
  await close();
});

test('an older complete snapshot is used when main moved on; the update check offers the new commit', async () => {
  const { h, close, defaultCache } = testContext(hub);
  const old = 'f'.repeat(40);
  const snap = seedCache(defaultCache, old, WANTED);
  // refs/main points at a newer commit of which only config.json was fetched.
  seedCache(defaultCache, hub.sha, ['config.json']);
  hub.requests.length = 0;
  assert.deepEqual(await h['models.download']({ model: 'tiny-chat' }), { path: snap });
  assert.equal(hub.requests.length, 0);
  const check = await h['models.checkUpdate']({ model: 'tiny-chat' });
  assert.deepEqual([check.updateAvailable, check.localCommit, check.remoteCommit, check.revision], [true, old, hub.sha, 'main']);
  // Same content under the new commit: every blob is already here, so the update costs nothing.
  assert.deepEqual([check.files, check.bytes], [0, 0]);
  await close();
});
