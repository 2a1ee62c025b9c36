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
