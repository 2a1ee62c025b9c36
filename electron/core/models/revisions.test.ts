// Revisions: a branch, tag or commit downloaded on request and then used for training; a finished download
// compared with the Hub's current commit, and the update fetching only what changed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cacheRepoDir } from './hf-cache';
import { modelPathFor } from './local';
import { FakeHub, sampleRepoFiles } from './test/fake-hub';
import { cleanupTestDirs, testContext } from './test/context';

const files = sampleRepoFiles(64 * 1024);
const V1 = 'c'.repeat(40);
const v1Files = { ...files, 'tokenizer_config.json': '{"chat_template":"{{ v1 }}"}' };
let hub: FakeHub;
before(async () => {
  hub = await new FakeHub({ 'acme/tiny-chat': { files, refs: { 'v1.0': { sha: V1, files: v1Files } } } }).start();
});
after(async () => {
  await hub.close();
  cleanupTestDirs();
});

test('a tag is downloaded at its commit, recorded in refs/, and is then what training loads; main brings it back', async () => {
  const { ctx, h, close, defaultCache } = testContext(hub);
  const repoDir = cacheRepoDir(defaultCache, 'acme/tiny-chat');
  const { path: v1 } = await h['models.download']({ model: 'acme/tiny-chat', revision: 'v1.0' });
  assert.equal(v1, path.join(repoDir, 'snapshots', V1));
  assert.equal(fs.readFileSync(path.join(repoDir, 'refs', 'v1.0'), 'utf8'), V1);
  assert.equal(fs.readFileSync(path.join(v1, 'tokenizer_config.json'), 'utf8'), v1Files['tokenizer_config.json']);
  assert.equal(modelPathFor(ctx, 'tiny-chat'), v1, 'the catalogue id trains the revision last asked for');
  assert.equal((await h['models.local']())[0].commit, V1);
  // Asked again without a revision: the one in use, with no request.
  hub.requests.length = 0;
  assert.deepEqual(await h['models.download']({ model: 'tiny-chat' }), { path: v1 });
  assert.equal(hub.requests.length, 0);
  const { path: main } = await h['models.download']({ model: 'tiny-chat', revision: 'main' });
  assert.equal(main, path.join(repoDir, 'snapshots', hub.sha));
  assert.equal(modelPathFor(ctx, 'tiny-chat'), main);
  // Only the changed file moved: the shards' blobs are shared by both snapshots.
  assert.equal(fs.readdirSync(path.join(repoDir, 'blobs')).length, 9);
  await close();
});

test('a revision the repo lacks, or one that is not a name, is refused with what to do', async () => {
  const { h, close } = testContext(hub);
  await assert.rejects(h['models.download']({ model: 'acme/tiny-chat', revision: 'v9' }), (e: Error & { code?: string; hint?: string }) => {
    assert.equal(e.code, 'MODEL_NOT_FOUND');
    assert.match(e.message, /no revision "v9".*Invalid rev id: v9/);
    assert.match(e.hint ?? '', /branch, a tag or a commit/);
    return true;
  });
  await assert.rejects(h['models.download']({ model: 'acme/tiny-chat', revision: '../../etc' }), { code: 'BAD_REQUEST' });
  await close();
});

test('when main moves on, the check offers the update with its size, and the update fetches only the changed file', async () => {
  const { h, close } = testContext(hub);
  await h['models.download']({ model: 'tiny-chat' });
  let check = await h['models.checkUpdate']({ model: 'tiny-chat' });
  assert.equal(check.updateAvailable, false);
  const before = hub.sha;
  const old = files['tokenizer_config.json'];
  hub.sha = 'e'.repeat(40);
  files['tokenizer_config.json'] = '{"chat_template":"{{ fixed upstream }}"}';
  try {
    check = await h['models.checkUpdate']({ model: 'tiny-chat' });
    assert.deepEqual(check, { repo: 'acme/tiny-chat', revision: 'main', localCommit: before, remoteCommit: hub.sha, updateAvailable: true, files: 1, bytes: Buffer.byteLength(files['tokenizer_config.json']) });
    // Until the user takes it, the download that is here stays in use.
    hub.requests.length = 0;
    assert.match((await h['models.download']({ model: 'tiny-chat' })).path, new RegExp(`${before}$`));
    assert.equal(hub.requests.length, 0);
    hub.bytesSent.clear();
    const { path: updated } = await h['models.download']({ model: 'tiny-chat', update: true });
    assert.match(updated, new RegExp(`${hub.sha}$`));
    assert.deepEqual([...hub.bytesSent.keys()], ['acme/tiny-chat/tokenizer_config.json']);
    assert.equal((await h['models.checkUpdate']({ model: 'tiny-chat' })).updateAvailable, false);
  } finally {
    hub.sha = before;
    files['tokenizer_config.json'] = old;
  }
  await close();
});

test('offline, the update check fails quietly with NO_NETWORK; the model stays usable', async () => {
  const { ctx, h, close } = testContext(hub);
  await h['models.download']({ model: 'tiny-chat' });
  ctx.env.HF_ENDPOINT = 'http://127.0.0.1:9';
  await assert.rejects(h['models.checkUpdate']({ model: 'tiny-chat' }), { code: 'NO_NETWORK' });
  assert.ok(modelPathFor(ctx, 'tiny-chat'));
  await close();
});
