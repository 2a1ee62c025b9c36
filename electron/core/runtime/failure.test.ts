import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyFailure } from './failure';

// Real uv 0.9.5 messages (captured with a dead proxy, a missing package, a full disk).
const OFFLINE = `error: Failed to fetch: \`https://pypi.org/simple/idna/\`
  Caused by: Request failed after 3 retries
  Caused by: error sending request for url (https://pypi.org/simple/idna/)
  Caused by: tcp connect error
  Caused by: Connection refused (os error 111)`;
const MISSING = `  × No solution found when resolving dependencies:
  ╰─▶ Because no-such-package-hone-xyz was not found in the package registry and you require no-such-package-hone-xyz==1.0, we can conclude that your requirements are unsatisfiable.`;
const FULL = `error: Failed to install: torch-2.8.0-cp311-cp311-manylinux_2_28_x86_64.whl (torch==2.8.0)
  Caused by: failed to write to file \`/data/env/lib/python3.11/site-packages/torch/lib/libtorch_cuda.so\`: No space left on device (os error 28)`;

test('uv failures become NO_NETWORK, DISK_FULL or INSTALL_FAILED, each with its tail and what to do', () => {
  const net = classifyFailure(OFFLINE, 'Installing', '/data/env');
  assert.equal(net.code, 'NO_NETWORK');
  assert.match(net.hint ?? '', /resumes/);
  assert.equal(net.tail, OFFLINE);
  const disk = classifyFailure(FULL, 'Installing', '/data/env');
  assert.equal(disk.code, 'DISK_FULL');
  assert.match(disk.hint ?? '', /\/data\/env/);
  const missing = classifyFailure(MISSING, 'Installing', '/data/env');
  assert.equal(missing.code, 'INSTALL_FAILED');
  assert.match(missing.tail, /no-such-package-hone-xyz/);
  assert.equal(classifyFailure('error: failed to create directory: Permission denied (os error 13)', 'Installing', '/x').code, 'INSTALL_FAILED');
  assert.match(classifyFailure('Permission denied (os error 13)', 'Installing', '/x').message, /may not write to \/x/);
});
