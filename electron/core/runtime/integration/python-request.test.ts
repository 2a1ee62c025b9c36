/**
 * #11: the locks need Python 3.11+, so the environment is built on one: a Python in range when the machine
 * has it, otherwise one uv installs. Both paths run uv for real where this machine allows: finding 3.11
 * here, and the install attempt (python-build-standalone comes from GitHub, which CI cannot reach, so the
 * download fails there and the error must say what to do). The successful install is shown with a stand-in
 * uv that answers like the real one; GitHub is the boundary.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { InstallError } from '../failure';
import { findBasePython } from '../provision';
import { checkPython } from '../python-check';
import { basePythonCommands, isSupportedPython, PYTHON_REQUEST } from '../python-version';
import { findUv } from '../uv';
import { CI_CACHE, PYTHON_RUNTIME, testPython, tmpDir } from './fixtures';

const cleanup: string[] = [];
after(() => {
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = (p: string) => {
  const d = tmpDir(p);
  cleanup.push(d);
  return d;
};
const noProgress = () => {};
const realUv = () => findUv({ toolsDir: path.join(CI_CACHE, 'tools'), bootstrap: false, env: { ...process.env, PATH: `${path.join(CI_CACHE, 'bin')}${path.delimiter}${process.env.PATH}` } });

test('the request follows the lock: 3.10 is refused, 3.11 to 3.13 accepted; compile.sh resolves for the same 3.11', () => {
  assert.equal(PYTHON_REQUEST, '>=3.11,<3.14');
  assert.equal(isSupportedPython('3.10.12'), false);
  assert.equal(isSupportedPython('3.11.0'), true);
  assert.equal(isSupportedPython('3.13.1'), true);
  assert.deepEqual(basePythonCommands(), { find: ['python', 'find', '--no-project', '>=3.11,<3.14'], install: ['python', 'install', '3.11'] });
  const compile = fs.readFileSync(path.join(PYTHON_RUNTIME, 'requirements', 'compile.sh'), 'utf8');
  assert.match(compile, /--python-version 3\.11\b/);
});

test('a Python in range on the machine is used as it is (real uv)', { timeout: 120_000 }, async () => {
  const uv = await realUv();
  const found = await findBasePython(uv, PYTHON_REQUEST, process.env, tmp('find'), undefined, noProgress);
  const check = await checkPython(found, { pythonRuntimeDir: PYTHON_RUNTIME });
  assert.ok(check.version && isSupportedPython(check.version), `${found} is ${check.version}`);
});

test('none in range: uv is asked to install 3.11; where it cannot download, the error says what to do (real uv)', { timeout: 120_000 }, async () => {
  const uv = await realUv();
  // Only uv-managed Pythons count, none is installed, and the download mirror is a closed port: what a
  // machine with Python 3.10 only and no route to GitHub looks like to uv.
  const env = { ...process.env, UV_PYTHON_PREFERENCE: 'only-managed', UV_PYTHON_INSTALL_DIR: tmp('managed'), UV_PYTHON_INSTALL_MIRROR: 'http://127.0.0.1:9', UV_PYTHON_DOWNLOADS: 'automatic' };
  const stages: string[] = [];
  await assert.rejects(
    findBasePython(uv, PYTHON_REQUEST, env, tmp('install'), undefined, (p) => stages.push(p.stage)),
    (e: InstallError) => e.code === 'PYTHON_MISSING' && /3\.11/.test(e.message) && /python\.org/.test(e.hint ?? '') && /127\.0\.0\.1:9|3\.11/.test(e.tail ?? ''),
  );
  assert.deepEqual(stages, ['Downloading Python 3.11']);
});

test('none in range: the Python uv installs is the one the environment is built on (stand-in uv)', { skip: process.platform === 'win32' && 'POSIX shell stand-in' }, async () => {
  const dir = tmp('fake-uv');
  const log = path.join(dir, 'calls.log');
  const installed = path.join(dir, 'cpython-3.11', 'bin', 'python3.11');
  // Like uv: `python find` fails (exit 2) until `python install 3.11` has put a managed 3.11 in place.
  fs.writeFileSync(
    path.join(dir, 'uv'),
    `#!/bin/sh\necho "$*" >> "${log}"\ncase "$1 $2" in\n  "python find") if [ -e "${installed}" ]; then echo "${installed}"; exit 0; fi; echo "error: No interpreter found for Python $4" >&2; exit 2 ;;\n  "python install") mkdir -p "$(dirname "${installed}")" && touch "${installed}" && exit 0 ;;\nesac\nexit 1\n`,
    { mode: 0o755 },
  );
  const stages: string[] = [];
  const base = await findBasePython(path.join(dir, 'uv'), PYTHON_REQUEST, { ...process.env, VIRTUAL_ENV: '/somewhere/venv' }, dir, undefined, (p) => stages.push(p.stage));
  assert.equal(base, installed);
  assert.deepEqual(fs.readFileSync(log, 'utf8').trim().split('\n'), ['python find --no-project >=3.11,<3.14', 'python install 3.11', 'python find --no-project >=3.11,<3.14']);
  assert.deepEqual(stages, ['Downloading Python 3.11']);
  // Sanity: the CI Python, which the tests train with, is itself in range.
  const ci = await checkPython(await testPython(), { pythonRuntimeDir: PYTHON_RUNTIME });
  assert.ok(isSupportedPython(ci.version!), ci.version!);
});
