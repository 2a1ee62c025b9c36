// Every request is checked against its schema before a handler runs, through the one dispatcher both
// transports use, against a real core. Each test is a reproduction from issue #13.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore, type Core } from '../core/app';
import { dispatch } from './dispatch';

function setup(env: NodeJS.ProcessEnv = {}): { core: Core; dataDir: string; done(): Promise<void> } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-dispatch-'));
  const core = createCore({ mode: 'headless', paths: { dataDir }, env });
  return { core, dataDir, done: async () => { await core.close(); fs.rmSync(dataDir, { recursive: true, force: true }); } };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- results are checked by value below
const call = (core: Core, channel: string, params?: unknown) => dispatch(core.handlers, channel, params) as Promise<{ ok: true; result: any } | { ok: false; error: { code: string; message: string } }>;

test('settings.set with wrong types and unknown keys is refused and nothing is saved', async () => {
  const { core, dataDir, done } = setup();
  try {
    const before = await call(core, 'settings.get');
    const r = await call(core, 'settings.set', { ollamaHost: 5, theme: { dark: true }, extra: 'junk' });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, 'BAD_REQUEST');
    assert.match(!r.ok ? r.error.message : '', /settings\.set: ollamaHost: .*expected string/);
    assert.deepEqual(await call(core, 'settings.get'), before);
    assert.equal(fs.existsSync(path.join(dataDir, 'settings.json')), false, 'nothing was written');
    // A host that is not an address is refused too; a real one is kept, and Ollama calls keep working.
    assert.equal((await call(core, 'settings.set', { ollamaHost: 'not a host' })).ok, false);
    const ok = await call(core, 'settings.set', { ollamaHost: '127.0.0.1:9' });
    assert.equal(ok.ok, true);
    const status = await call(core, 'ollama.status');
    assert.equal(status.ok, true, 'ollama.status answers (not running), not INTERNAL');
  } finally {
    await done();
  }
});

test('a settings.json spoiled by an older version is read back with its bad values dropped', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-dispatch-'));
  fs.writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ ollamaHost: 5, theme: { x: 1 }, extra: 'junk', onboarded: true }));
  const core = createCore({ mode: 'headless', paths: { dataDir }, env: {} });
  try {
    const s = await call(core, 'settings.get');
    assert.equal(s.ok, true);
    const got = (s.ok ? s.result : {}) as Record<string, unknown>;
    // The bad values fall back to their defaults, the good one survives, the junk key is gone.
    assert.deepEqual(
      { dataDir: got.dataDir, pythonPath: got.pythonPath, ollamaHost: got.ollamaHost, theme: got.theme, onboarded: got.onboarded },
      { dataDir, pythonPath: null, ollamaHost: '127.0.0.1:11434', theme: 'system', onboarded: true },
    );
    assert.equal('extra' in got, false);
  } finally {
    await core.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('hfToken goes to the secrets store only: never settings.json, never settings.get', async () => {
  const { core, dataDir, done } = setup();
  try {
    const token = 'hf_abcdefghijklmnopqrstuvwxyz012345';
    const r = await call(core, 'settings.set', { hfToken: token, theme: 'dark' });
    assert.equal(r.ok, true);
    assert.doesNotMatch(JSON.stringify(r.ok && r.result), /hf_/);
    assert.doesNotMatch(fs.readFileSync(path.join(dataDir, 'settings.json'), 'utf8'), /hf_|hfToken/);
    assert.doesNotMatch(JSON.stringify(await call(core, 'settings.get')), /hf_|hfToken/);
    const status = await call(core, 'models.tokenStatus');
    assert.deepEqual(status.ok && status.result, { hasToken: true, storage: 'file', source: 'saved' });
    const secret = path.join(dataDir, 'secrets', 'hf-token');
    assert.equal(fs.readFileSync(secret, 'utf8'), token);
    if (process.platform !== 'win32') assert.equal(fs.statSync(secret).mode & 0o777, 0o600);
  } finally {
    await done();
  }
});

test('a token an older version left in settings.json moves to the secrets store', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-dispatch-'));
  fs.writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ hfToken: 'hf_legacylegacylegacy', theme: 'dark' }), { mode: 0o644 });
  const core = createCore({ mode: 'headless', paths: { dataDir }, env: {} });
  try {
    const s = await call(core, 'settings.get');
    assert.doesNotMatch(JSON.stringify(s), /hf_/);
    assert.equal(s.ok && s.result.theme, 'dark');
    assert.doesNotMatch(fs.readFileSync(path.join(dataDir, 'settings.json'), 'utf8'), /hf_/);
    assert.equal(fs.readFileSync(path.join(dataDir, 'secrets', 'hf-token'), 'utf8'), 'hf_legacylegacylegacy');
  } finally {
    await core.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('models.setToken with a number is a BAD_REQUEST, not INTERNAL', async () => {
  const { core, done } = setup();
  try {
    const r = await call(core, 'models.setToken', { token: 12345678 });
    assert.deepEqual(!r.ok && [r.error.code, /token: .*expected string/.test(r.error.message)], ['BAD_REQUEST', true]);
  } finally {
    await done();
  }
});

test('pythonPath from the renderer needs confirmPythonPath, and must answer as Python before it is saved', async () => {
  const { core, dataDir, done } = setup();
  try {
    // The attack: point pythonPath at a script, then ask for runtime.status (which runs it).
    const marker = path.join(dataDir, 'ran');
    const script = path.join(dataDir, 'evil.sh');
    fs.writeFileSync(script, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o700 });
    const unconfirmed = await call(core, 'settings.set', { pythonPath: script });
    assert.deepEqual(!unconfirmed.ok && unconfirmed.error.code, 'BAD_REQUEST');
    assert.match(!unconfirmed.ok ? unconfirmed.error.message : '', /confirmation/);
    assert.equal(fs.existsSync(marker), false, 'nothing was run without the confirmation');
    const notPython = await call(core, 'settings.set', { pythonPath: script, confirmPythonPath: true });
    assert.deepEqual(!notPython.ok && notPython.error.code, 'BAD_REQUEST');
    assert.match(!notPython.ok ? notPython.error.message : '', /did not answer as Python/);
    for (const bad of ['relative/python', path.join(dataDir, 'missing'), dataDir]) {
      const r = await call(core, 'settings.set', { pythonPath: bad, confirmPythonPath: true });
      assert.equal(!r.ok && r.error.code, 'BAD_REQUEST', bad);
    }
    const s = await call(core, 'settings.get');
    assert.equal(s.ok && s.result.pythonPath, null, 'none of them was saved');
    const python = process.env.HONE_PYTHON;
    if (python) {
      const r = await call(core, 'settings.set', { pythonPath: python, confirmPythonPath: true });
      assert.equal(r.ok && r.result.pythonPath, python);
      // Saving it again (the Settings page sends every field on Save) needs no new confirmation.
      assert.equal((await call(core, 'settings.set', { pythonPath: python, theme: 'light' })).ok, true);
    }
    assert.equal((await call(core, 'settings.set', { pythonPath: null })).ok, true, 'back to Hone\'s own needs no confirmation');
  } finally {
    await done();
  }
});

test('ollama.send takes run ids only: a folder path is refused, and a bare folder name is never resolved', async () => {
  const { core, done } = setup();
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-outside-'));
  const cwd = process.cwd();
  try {
    fs.writeFileSync(path.join(outside, 'summary.json'), JSON.stringify({ runId: 'x', status: 'completed' }));
    const byPath = await call(core, 'ollama.send', { runId: outside, name: 'evil', quantize: 'f16' });
    assert.equal(!byPath.ok && byPath.error.code, 'BAD_REQUEST');
    assert.match(!byPath.ok ? byPath.error.message : '', /runId: must be a run id/);
    // A name that is a folder in the working directory: looked up in the database only.
    process.chdir(path.dirname(outside));
    const byName = await call(core, 'ollama.send', { runId: path.basename(outside), name: 'evil', quantize: 'f16' });
    assert.equal(!byName.ok && byName.error.code, 'NOT_FOUND');
    assert.equal(fs.existsSync(path.join(outside, 'exports.json')), false, 'nothing was written outside the data folder');
    for (const id of ['../x', '..', 'a/b', 'C:\\x', '']) {
      const r = await call(core, 'runs.get', { runId: id });
      assert.equal(!r.ok && r.error.code, 'BAD_REQUEST', id);
    }
  } finally {
    process.chdir(cwd);
    fs.rmSync(outside, { recursive: true, force: true });
    await done();
  }
});

test('deep params, prototype keys and non-JSON values are refused before any handler runs', async () => {
  const { core, done } = setup();
  try {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    for (const params of [
      { runId: deep },
      JSON.parse('{"__proto__": {"polluted": true}, "theme": "dark"}'),
      JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'),
      { theme: 'dark', nested: { prototype: 1 } },
      new Date(),
    ]) {
      const r = await call(core, 'settings.set', params);
      assert.equal(!r.ok && r.error.code, 'BAD_REQUEST', JSON.stringify(r));
    }
    const mapped = await call(core, 'datasets.inspect', { path: '/x.jsonl', mapping: JSON.parse('{"__proto__": "y"}') });
    assert.equal(!mapped.ok && mapped.error.code, 'BAD_REQUEST');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const s = await call(core, 'settings.get');
    assert.equal(s.ok && s.result.theme, 'system');
  } finally {
    await done();
  }
});
