import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createContext } from '../app';
import { resolveModelPath } from './resolve-model';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-resolve-'));
const { ctx, close } = createContext({ mode: 'cli', env: { ...process.env, HONE_PYTHON: '' }, paths: { dataDir } });
after(async () => {
  await close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('a model folder is used as it is, by path or local:<path>, relative to the caller', async () => {
  const dir = path.join(dataDir, 'my-model');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'config.json'), '{}');
  assert.deepEqual(await resolveModelPath(ctx, dir), { path: dir, spec: null, demo: false });
  assert.equal((await resolveModelPath(ctx, `local:${dir}`)).path, dir);
  assert.equal((await resolveModelPath(ctx, './my-model', { cwd: dataDir })).path, dir);
  await assert.rejects(resolveModelPath(ctx, dataDir), { code: 'MODEL_NOT_FOUND', message: /no config\.json/ });
});

test('a catalogue model that is not downloaded says so and points offline users to a local folder', async () => {
  await assert.rejects(resolveModelPath(ctx, 'llama-3.2-1b-instruct'), (err: { code: string; message: string; hint: string }) => {
    assert.equal(err.code, 'MODEL_NOT_FOUND');
    assert.match(err.message, /has not been downloaded/);
    assert.match(err.hint, /local model folder/);
    return true;
  });
  await assert.rejects(resolveModelPath(ctx, 'no-such-model'), { code: 'MODEL_NOT_FOUND', message: /neither a catalogue model nor a folder/ });
});

test('the demo from PyPI needs a Python to convert it: without one, the error says how to get it', async () => {
  // No Hub (offline): the PyPI fallback is what needs the Python.
  const offline = createContext({ mode: 'cli', env: { ...process.env, HONE_PYTHON: '', HF_HUB_OFFLINE: '1', PIP_INDEX_URL: 'http://127.0.0.1:9/simple' }, paths: { dataDir } });
  try {
    await assert.rejects(resolveModelPath(offline.ctx, 'smollm2-135m-instruct'), { code: 'RUNTIME_NOT_READY' });
  } finally {
    await offline.close();
  }
});
