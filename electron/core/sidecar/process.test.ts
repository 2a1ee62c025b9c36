import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../paths';
import { SidecarProcess } from './process';

test('a Python that does not exist fails the start with PYTHON_MISSING, and the process counts as exited', async () => {
  const s = new SidecarProcess({ python: '/nonexistent/bin/python', pythonRuntimeDir: path.join(REPO_ROOT, 'python-runtime') });
  await assert.rejects(s.start({}), (err: { code: string; hint?: string }) => err.code === 'PYTHON_MISSING' && /hone setup/.test(err.hint ?? ''));
  const exit = await s.whenExited();
  assert.equal(exit.done, null);
  assert.match(exit.tail.join('\n'), /ENOENT/);
});

test('a process that dies before ready gives SIDECAR_CRASHED with its last words', { skip: process.platform === 'win32' && 'uses /bin/sh' }, async () => {
  // /bin/sh stands in for a broken interpreter: it rejects `-m hone_sidecar` and exits with a message.
  const s = new SidecarProcess({ python: '/bin/sh', pythonRuntimeDir: path.join(REPO_ROOT, 'python-runtime') });
  await assert.rejects(s.start({}), (err: { code: string; message: string }) => err.code === 'SIDECAR_CRASHED' && /exited with code 2[\s\S]*cannot open hone_sidecar/.test(err.message));
  assert.ok(s.exited);
});
