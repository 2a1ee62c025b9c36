import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REPO_ROOT } from '../paths';
import path from 'node:path';
import { effectiveLock, pinnedVersions, requirementLines } from './locks';

const RUNTIME = path.join(REPO_ROOT, 'python-runtime');

test('the effective lock is the real lock\'s pins; torch from another index drops the CUDA library pins', () => {
  const cpu = effectiveLock({ pythonRuntimeDir: RUNTIME, lock: 'cpu', torchBackend: null });
  assert.match(cpu.text, /^torch==2\.8\.0$/m);
  assert.ok(cpu.count > 20);
  assert.ok(!/^#/m.test(cpu.text.split('\n').slice(1).join('\n')), 'comments are stripped');
  const cu126 = effectiveLock({ pythonRuntimeDir: RUNTIME, lock: 'cuda', torchBackend: 'cu126' });
  assert.doesNotMatch(cu126.text, /^nvidia-/m);
  assert.match(cu126.text, /^unsloth==/m);
  const withTests = effectiveLock({ pythonRuntimeDir: RUNTIME, lock: 'cpu', extras: ['test'], torchBackend: null });
  assert.match(withTests.text, /^pytest==/m);
  assert.notEqual(withTests.hash, cpu.hash);
  assert.equal(effectiveLock({ pythonRuntimeDir: RUNTIME, lock: 'cpu', torchBackend: null }).hash, cpu.hash, 'stable hash');
});

test('pins of the training stack come from the lock', () => {
  const pins = pinnedVersions(RUNTIME, ['torch', 'trl', 'peft', 'transformers']);
  assert.equal(pins.torch, '2.8.0');
  assert.ok(pins.trl && pins.peft && pins.transformers);
  assert.deepEqual(requirementLines('# c\nsix==1.16.0   # via x\n\ncolorama==0.4.6 ; sys_platform == "win32"  # via tqdm'), ['six==1.16.0', 'colorama==0.4.6 ; sys_platform == "win32"']);
});

test('#13 xformers is installed only beside the torch build it was compiled for (PyPI\'s CUDA 12.8 one)', () => {
  const linuxCu128 = effectiveLock({ pythonRuntimeDir: RUNTIME, lock: 'cuda', torchBackend: null });
  assert.match(linuxCu128.text, /^xformers==0\.0\.32\.post2$/m);
  assert.equal(linuxCu128.overrides, null);
  const windowsCu128 = effectiveLock({ pythonRuntimeDir: RUNTIME, lock: 'cuda', torchBackend: 'cu128', platform: 'win32' });
  assert.match(windowsCu128.text, /^xformers==/m);
  const cu126 = effectiveLock({ pythonRuntimeDir: RUNTIME, lock: 'cuda', torchBackend: 'cu126' });
  assert.doesNotMatch(cu126.text, /^xformers/m);
  assert.deepEqual(cu126.excluded, ['xformers']);
  // unsloth still lists xformers as a dependency: the override keeps uv from pulling PyPI's build back in.
  assert.equal(cu126.overrides, 'xformers ; sys_platform == "never"\n');
  assert.match(cu126.text, /^unsloth==/m);
  assert.match(cu126.text, /^torchao==/m);
  assert.deepEqual(effectiveLock({ pythonRuntimeDir: RUNTIME, lock: 'cpu', torchBackend: null }).excluded, []);
});
