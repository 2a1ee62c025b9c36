// safeStorage needs Electron's binary, which cannot be downloaded here: the stand-in below imitates
// its four calls (a reversible transform in place of the OS keychain) so the file handling is tested for real.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createContext } from '../core/app';
import { createModelHandlers } from '../core/models/handlers';
import { createSafeStorageSecrets, type SafeStorageApi } from './secrets';

function standInSafeStorage(backend: ReturnType<SafeStorageApi['getSelectedStorageBackend']> = 'gnome_libsecret') {
  const s = {
    available: true,
    backend,
    isEncryptionAvailable: () => s.available,
    getSelectedStorageBackend: () => s.backend,
    encryptString: (t: string) => Buffer.from(`enc:${Buffer.from(t).reverse().toString('base64')}`),
    decryptString: (b: Buffer) => Buffer.from(b.toString().slice(4), 'base64').reverse().toString(),
  };
  return s;
}

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-secrets-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

test('with a keychain: stored encrypted in a 0600 .enc file, read back, removed', async () => {
  const dir = tmp();
  const store = createSafeStorageSecrets(standInSafeStorage(), dir, 'linux');
  assert.equal(store.kind, 'safeStorage');
  await store.set('hf-token', 'hf_secretvalue42');
  const enc = path.join(dir, 'hf-token.enc');
  assert.ok(!fs.readFileSync(enc).toString().includes('hf_secretvalue42'));
  assert.equal(fs.statSync(enc).mode & 0o777, 0o600);
  assert.ok(!fs.existsSync(path.join(dir, 'hf-token')), 'no plain copy');
  assert.equal(await store.get('hf-token'), 'hf_secretvalue42');
  await store.set('hf-token', null);
  assert.equal(await store.get('hf-token'), null);
  assert.ok(!fs.existsSync(enc));
});

test("Linux's basic_text backend is no protection: falls back to the 0600 file and says 'file'", async () => {
  const dir = tmp();
  const safe = standInSafeStorage('basic_text');
  const store = createSafeStorageSecrets(safe, dir, 'linux');
  assert.equal(store.kind, 'file');
  await store.set('hf-token', 'hf_secretvalue42');
  assert.equal(fs.statSync(path.join(dir, 'hf-token')).mode & 0o777, 0o600);
  assert.equal(await store.get('hf-token'), 'hf_secretvalue42');
  // A keyring that appears later is used from the next save on, and the plain copy goes.
  safe.backend = 'gnome_libsecret';
  await store.set('hf-token', 'hf_secretvalue43');
  assert.equal(store.kind, 'safeStorage');
  assert.ok(!fs.existsSync(path.join(dir, 'hf-token')));
  assert.equal(await store.get('hf-token'), 'hf_secretvalue43');
});

test('the core reports the injected store to the UI, and never the token itself', async () => {
  const dataDir = tmp();
  const { ctx, close } = createContext({ mode: 'electron', paths: { dataDir }, env: { HOME: dataDir }, secrets: createSafeStorageSecrets(standInSafeStorage(), path.join(dataDir, 'userData'), 'linux') });
  const h = createModelHandlers(ctx);
  assert.deepEqual(await h['models.tokenStatus'](), { hasToken: false, storage: 'safeStorage', source: null });
  const set = await h['models.setToken']({ token: 'hf_secretvalue42' });
  assert.deepEqual(set, { hasToken: true, storage: 'safeStorage', source: 'saved' });
  assert.deepEqual(await h['models.tokenStatus'](), { hasToken: true, storage: 'safeStorage', source: 'saved' });
  assert.ok(fs.existsSync(path.join(dataDir, 'userData', 'hf-token.enc')));
  assert.ok(!fs.existsSync(path.join(dataDir, 'secrets')), 'the file fallback is not used when a store is injected');
  await close();
});
