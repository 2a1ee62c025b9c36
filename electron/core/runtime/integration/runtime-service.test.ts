/**
 * runtime.status / runtime.install as the app calls them: the CI environment recognised from its marker,
 * a user's Python checked against the lock, a failed install reported as events with uv's tail.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import type { EventChannel } from '../../../shared/contract';
import { createContext } from '../../app';
import { checkPython } from '../python-check';
import { getRuntime } from '../service';
import { CI_ENV, CI_UV_CACHE, fakeRuntime, PYTHON_RUNTIME, testPython, tmpDir } from './fixtures';

const cleanup: (() => unknown)[] = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

function context(env: NodeJS.ProcessEnv, pythonRuntimeDir = PYTHON_RUNTIME) {
  const dataDir = tmpDir('data');
  const { ctx, close } = createContext({ mode: 'cli', env, paths: { dataDir, pythonRuntimeDir } });
  cleanup.push(close, () => fs.rmSync(dataDir, { recursive: true, force: true }));
  return ctx;
}

const withoutPython = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const { HONE_PYTHON: _omit, ...rest } = process.env;
  return { ...rest, UV_CACHE_DIR: CI_UV_CACHE, ...extra };
};

test('a Python without the training stack is refused with each missing package named', { skip: !fs.existsSync('/usr/bin/python3') && 'needs a system python3' }, async () => {
  const check = await checkPython('/usr/bin/python3', { pythonRuntimeDir: PYTHON_RUNTIME });
  assert.equal(check.fatal, true);
  assert.ok(check.problems.some((p) => /^torch is not installed \(Hone needs 2\.8\.0\)/.test(p)), check.problems.join('\n'));
  const missing = await checkPython('/nonexistent/python', { pythonRuntimeDir: PYTHON_RUNTIME });
  assert.equal(missing.fatal, true);
  assert.match(missing.problems[0], /cannot be run/);

  const ctx = context({ ...withoutPython(), HONE_PYTHON: '/usr/bin/python3' });
  const status = await getRuntime(ctx).status();
  assert.equal(status.state, 'failed');
  assert.equal(status.error?.code, 'PYTHON_MISSING');
  assert.ok(status.problems.length >= 4);
  await assert.rejects(getRuntime(ctx).requirePython(), { code: 'PYTHON_MISSING' });
});

test('the test Python passes the check: the lock\'s versions, nothing missing', async () => {
  const python = await testPython();
  const check = await checkPython(python, { pythonRuntimeDir: PYTHON_RUNTIME });
  assert.deepEqual(check.problems, []);
  assert.equal(check.fatal, false);
  const ctx = context({ ...withoutPython(), HONE_PYTHON: python });
  const status = await getRuntime(ctx).status();
  assert.equal(status.state, 'ready');
  assert.equal(status.python, python);
  assert.equal(await getRuntime(ctx).requirePython(), python);
});

test('Hone\'s own environment is "ready" from its marker alone, and "missing" before it exists', async () => {
  await testPython(); // makes sure the CI environment exists when HONE_PYTHON points elsewhere
  const ctx = context(withoutPython());
  const rt = getRuntime(ctx);
  const before = await rt.status();
  assert.equal(before.state, 'missing');
  await assert.rejects(rt.requirePython(), { code: 'RUNTIME_NOT_READY' });
  fs.mkdirSync(path.dirname(rt.envDir), { recursive: true });
  fs.symlinkSync(CI_ENV, rt.envDir);
  const t0 = performance.now();
  const ready = await rt.status();
  assert.ok(performance.now() - t0 < 500);
  assert.equal(ready.state, 'ready', JSON.stringify(ready));
  assert.equal(ready.flavour, 'cpu');
  assert.equal(ready.python, path.join(CI_ENV, 'bin', 'python'));
});

test('a failing install streams runtime.progress and ends in a failed runtime.status with the tail', { timeout: 5 * 60_000 }, async () => {
  const runtime = fakeRuntime('hone-no-such-package-xyz==1.0.0');
  cleanup.push(() => fs.rmSync(runtime, { recursive: true, force: true }));
  const ctx = context(withoutPython({ PATH: `/nonexistent-no-nvidia-smi${path.delimiter}${process.env.PATH}` }), runtime);
  const events: { channel: EventChannel; payload: unknown }[] = [];
  ctx.bus.onAny((channel, payload) => events.push({ channel, payload }));
  const status = await getRuntime(ctx).install();
  assert.equal(status.state, 'failed');
  assert.equal(status.error?.code, 'INSTALL_FAILED');
  assert.match(status.error?.tail ?? '', /hone-no-such-package-xyz/);
  const statuses = events.filter((e) => e.channel === 'runtime.status').map((e) => (e.payload as { state: string }).state);
  assert.deepEqual([statuses[0], statuses.at(-1)], ['installing', 'failed']);
  assert.ok(events.some((e) => e.channel === 'runtime.progress' && (e.payload as { stage: string }).stage === 'Creating the Python environment'));
  assert.equal((await getRuntime(ctx).status()).state, 'failed', 'the failure stays visible until the next try');
});
