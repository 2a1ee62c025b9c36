/**
 * Provisioning for real: uv, PyPI (through the warm CI cache) and the repository's lock. The one slow test
 * re-syncs the CI environment npm test uses; the failure cases use tiny locks in throwaway folders.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Progress } from '../../../shared/types/progress';
import { InstallError } from '../failure';
import { markerPath } from '../marker';
import { provisionPython } from '../provision';
import { venvPython } from '../which';
import { CI_ENV, CI_UV_CACHE, fakeRuntime, offlineEnv, PYTHON_RUNTIME, tmpDir } from './fixtures';

const cleanup: string[] = [];
after(() => {
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = (prefix: string) => {
  const d = tmpDir(prefix);
  cleanup.push(d);
  return d;
};

test('the real lock installs through uv, imports, and a current environment is recognised in well under a second', { timeout: 15 * 60_000 }, async () => {
  const seen: Progress[] = [];
  const opts = { envDir: CI_ENV, flavour: 'cpu', extras: ['test' as const], cacheDir: CI_UV_CACHE, pythonRuntimeDir: PYTHON_RUNTIME };
  const result = await provisionPython({ ...opts, force: true, onProgress: (p) => seen.push(p) });
  assert.equal(result.reused, false);
  assert.equal(result.python, venvPython(CI_ENV));
  const stages = new Set(seen.map((p) => p.stage));
  for (const s of ['Resolving packages', 'Installing packages', 'Checking the installed packages', 'Ready']) assert.ok(stages.has(s), `progress stage ${s} in ${[...stages].join(', ')}`);
  const resolved = seen.filter((p) => p.stage === 'Resolving packages').at(-1)!;
  assert.ok(resolved.total! > 50 && resolved.done === resolved.total, 'resolution counts every pinned package');
  const versions = execFileSync(result.python, ['-c', 'import torch, trl, pytest; print(torch.__version__.split("+")[0], trl.__version__)'], { encoding: 'utf8' }).trim();
  assert.match(fs.readFileSync(path.join(PYTHON_RUNTIME, 'requirements', 'cpu.txt'), 'utf8'), new RegExp(`^torch==${versions.split(' ')[0].replace(/\./g, '\\.')}\\b`, 'm'));
  assert.ok(fs.existsSync(markerPath(CI_ENV)));

  const t0 = performance.now();
  const again = await provisionPython(opts);
  assert.equal(again.reused, true);
  assert.equal(again.python, result.python);
  assert.ok(performance.now() - t0 < 1000, `ready check took ${Math.round(performance.now() - t0)} ms`);
});

test('a package that does not exist fails with INSTALL_FAILED and uv\'s own words; the next try resumes', { timeout: 5 * 60_000 }, async () => {
  const envDir = path.join(tmp('env'), 'env');
  const bad = fakeRuntime('six==1.16.0\nhone-no-such-package-xyz==1.0.0');
  cleanup.push(bad);
  await assert.rejects(provisionPython({ envDir, flavour: 'cpu', cacheDir: CI_UV_CACHE, pythonRuntimeDir: bad, verify: false }), (err: InstallError) => {
    assert.equal(err.code, 'INSTALL_FAILED');
    assert.match(err.tail, /hone-no-such-package-xyz/);
    assert.match(err.tail, /not found in the package registry/);
    assert.ok(err.hint);
    return true;
  });
  assert.ok(!fs.existsSync(markerPath(envDir)), 'a failed install is never marked ready');

  const fixed = fakeRuntime('six==1.16.0');
  cleanup.push(fixed);
  const seen: string[] = [];
  const ok = await provisionPython({ envDir, flavour: 'cpu', cacheDir: CI_UV_CACHE, pythonRuntimeDir: fixed, verify: false, onProgress: (p) => seen.push(p.stage) });
  assert.ok(!seen.includes('Creating the Python environment'), 'the venv of the failed try is reused');
  assert.equal(execFileSync(ok.python, ['-c', 'import six; print(six.__version__)'], { encoding: 'utf8' }).trim(), '1.16.0');
});

test('without network: NO_NETWORK with the tail, and what an earlier try downloaded still installs', { timeout: 5 * 60_000 }, async () => {
  const runtime = fakeRuntime('six==1.16.0\niniconfig==2.0.0');
  cleanup.push(runtime);
  const emptyCache = tmp('uv-cache');
  await assert.rejects(provisionPython({ envDir: path.join(tmp('env'), 'env'), flavour: 'cpu', cacheDir: emptyCache, pythonRuntimeDir: runtime, verify: false, env: offlineEnv() }), (err: InstallError) => {
    assert.equal(err.code, 'NO_NETWORK');
    assert.match(err.tail, /Connection refused|tcp connect|error sending request/);
    return true;
  });

  // Fill a cache online, then install into a fresh environment with every connection refused.
  await provisionPython({ envDir: path.join(tmp('env'), 'env'), flavour: 'cpu', cacheDir: emptyCache, pythonRuntimeDir: runtime, verify: false });
  const stages: string[] = [];
  const offline = await provisionPython({ envDir: path.join(tmp('env'), 'env'), flavour: 'cpu', cacheDir: emptyCache, pythonRuntimeDir: runtime, verify: false, env: offlineEnv(), onProgress: (p) => stages.push(p.stage) });
  // uv may answer from its cache at once (PyPI's index pages stay fresh for 10 minutes), or fail online and
  // then take Hone's offline retry; either way the packages install with no connection.
  assert.ok(stages.length > 0, 'progress was reported');
  execFileSync(offline.python, ['-c', 'import six, iniconfig']);
});

test('an unwritable place, a full disk and a missing uv are said up front, with what to do', async () => {
  const runtime = fakeRuntime('six==1.16.0');
  cleanup.push(runtime);
  const file = path.join(tmp('blocker'), 'a-file');
  fs.writeFileSync(file, '');
  await assert.rejects(provisionPython({ envDir: path.join(file, 'env'), flavour: 'cpu', pythonRuntimeDir: runtime }), (err: InstallError) => {
    assert.equal(err.code, 'INSTALL_FAILED');
    assert.match(err.message, /cannot write/);
    assert.match(err.hint ?? '', /data folder/);
    return true;
  });
  await assert.rejects(provisionPython({ envDir: path.join(tmp('env'), 'env'), flavour: 'cpu', pythonRuntimeDir: runtime, minFreeBytes: 1e18 }), (err: InstallError) => {
    assert.equal(err.code, 'DISK_FULL');
    assert.match(err.message, /free/);
    return true;
  });
  const noUv = { ...process.env, PATH: '/usr/bin:/bin' };
  const base = tmp('nouv');
  await assert.rejects(
    provisionPython({ envDir: path.join(base, 'env'), flavour: 'cpu', pythonRuntimeDir: runtime, resourcesDir: base, bootstrap: false, env: noUv }),
    (err: InstallError) => err.code === 'PYTHON_MISSING' && /uv/.test(err.message) && /pip install uv/.test(err.hint ?? ''),
  );
});

test('with no uv anywhere, uv is bootstrapped with the system Python and the install goes on', { timeout: 10 * 60_000, skip: !fs.existsSync('/usr/bin/python3') && 'needs /usr/bin/python3' }, async () => {
  const runtime = fakeRuntime('six==1.16.0');
  cleanup.push(runtime);
  const base = tmp('boot');
  const stages: string[] = [];
  const r = await provisionPython({
    envDir: path.join(base, 'env'),
    flavour: 'cpu',
    pythonRuntimeDir: runtime,
    cacheDir: CI_UV_CACHE,
    resourcesDir: base,
    verify: false,
    env: { ...process.env, PATH: '/usr/bin:/bin' },
    onProgress: (p) => stages.push(p.stage),
  });
  assert.ok(stages.includes('Installing uv'));
  const uv = path.join(base, 'tools', 'uv-venv', 'bin', 'uv');
  assert.match(execFileSync(uv, ['--version'], { encoding: 'utf8' }), /^uv 0\.9\.5/);
  execFileSync(r.python, ['-c', 'import six']);
});
