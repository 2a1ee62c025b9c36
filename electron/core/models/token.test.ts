// The token in huggingface_hub's order (Hone's saved one, HF_TOKEN, HUGGING_FACE_HUB_TOKEN, the file of
// `hf auth login`), which one is in use, and that the login file is only ever read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { hubTokenInUse } from './token';
import { FakeHub, sampleRepoFiles } from './test/fake-hub';
import { cleanupTestDirs, testContext } from './test/context';

let hub: FakeHub;
before(async () => {
  hub = await new FakeHub({ 'acme/gated-chat': { files: sampleRepoFiles(50 * 1024), gated: true, allowedTokens: ['hf_logintoken01'] } }).start();
});
after(async () => {
  await hub.close();
  cleanupTestDirs();
});

test('a user logged in with `hf auth login` downloads a gated model without entering anything', async () => {
  const { h, close, home } = testContext(hub);
  const file = path.join(home, '.cache', 'huggingface', 'token');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'hf_logintoken01\n');
  const mtime = fs.statSync(file).mtimeMs;
  assert.deepEqual(await h['models.tokenStatus'](), { hasToken: true, storage: 'file', source: 'file', path: file });
  hub.requests.length = 0;
  await h['models.download']({ model: 'gated-chat' });
  assert.ok(hub.requests.some((q) => q.auth === 'Bearer hf_logintoken01'));
  // Saving and removing Hone's own token never touches the login file.
  await h['models.setToken']({ token: 'hf_honesaved0001' });
  assert.equal((await h['models.tokenStatus']()).source, 'saved');
  await h['models.setToken']({ token: null });
  assert.equal(fs.readFileSync(file, 'utf8'), 'hf_logintoken01\n');
  assert.equal(fs.statSync(file).mtimeMs, mtime);
  assert.equal((await h['models.tokenStatus']()).source, 'file');
  await close();
});

test("huggingface_hub's order: saved, HF_TOKEN, HUGGING_FACE_HUB_TOKEN, HF_TOKEN_PATH, <HF_HOME>/token", async () => {
  const { ctx, h, close, home } = testContext(hub);
  const hfHome = path.join(home, 'hf-home');
  const custom = path.join(home, 'elsewhere', 'my-token');
  for (const [p, t] of [[path.join(hfHome, 'token'), 'hf_fromhfhome001'], [custom, 'hf_fromtokpath01']]) {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, t);
  }
  const inUse = async () => {
    const t = await hubTokenInUse(ctx);
    return t && [t.source, t.token];
  };
  assert.equal(await inUse(), null);
  ctx.env.HF_HOME = hfHome;
  assert.deepEqual(await inUse(), ['file', 'hf_fromhfhome001']);
  ctx.env.HF_TOKEN_PATH = custom;
  assert.deepEqual(await inUse(), ['file', 'hf_fromtokpath01']);
  ctx.env.HUGGING_FACE_HUB_TOKEN = 'hf_legacyenv0001';
  assert.deepEqual(await inUse(), ['HUGGING_FACE_HUB_TOKEN', 'hf_legacyenv0001']);
  ctx.env.HF_TOKEN = '  ';
  assert.deepEqual(await inUse(), ['HUGGING_FACE_HUB_TOKEN', 'hf_legacyenv0001'], 'an empty HF_TOKEN is no token');
  ctx.env.HF_TOKEN = 'hf_fromenvvar001';
  assert.deepEqual(await inUse(), ['HF_TOKEN', 'hf_fromenvvar001']);
  await h['models.setToken']({ token: 'hf_savedinhone01' });
  assert.deepEqual(await inUse(), ['saved', 'hf_savedinhone01']);
  const status = await h['models.tokenStatus']();
  assert.deepEqual(status, { hasToken: true, storage: 'file', source: 'saved' });
  assert.ok(!JSON.stringify(status).includes('hf_'), 'the status never carries a token');
  await close();
});

test('a rejected token is named by where it came from', async () => {
  const { h, close } = testContext(hub, { env: { HF_TOKEN: 'hf_notallowed001' } });
  await assert.rejects(h['models.download']({ model: 'gated-chat' }), (e: Error & { code?: string; hint?: string }) => {
    assert.equal(e.code, 'GATED_MODEL');
    assert.match(e.hint ?? '', /the access token \(from HF_TOKEN\)/);
    return true;
  });
  await close();
});
