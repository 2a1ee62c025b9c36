import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { HoneError } from '../../shared/errors';
import { detectNvidiaDriver, flavourForDriver, installRecipe } from './flavour';
import { resolveFlavour } from './provision';

test('driver versions map to the torch 2.8 CUDA builds, old drivers are refused with what to do', () => {
  assert.equal(flavourForDriver(null).flavour, 'cpu');
  assert.equal(flavourForDriver('580.65.06').flavour, 'cu128');
  assert.equal(flavourForDriver('570.86.10').flavour, 'cu128');
  assert.equal(flavourForDriver('565.57.01').flavour, 'cu126');
  const compat = flavourForDriver('535.183.01');
  assert.equal(compat.flavour, 'cu126');
  assert.match(compat.note ?? '', /compatibility/);
  assert.throws(() => flavourForDriver('470.256.02'), (e: HoneError) => e.code === 'DRIVER_TOO_OLD' && /570/.test(e.hint ?? ''));
});

test('Linux cu128 is PyPI\'s own torch; other CUDA builds and Windows come from the PyTorch index', () => {
  assert.deepEqual(installRecipe('cpu', 'linux'), { lock: 'cpu', torchBackend: null });
  assert.deepEqual(installRecipe('cu128', 'linux'), { lock: 'cuda', torchBackend: null });
  assert.deepEqual(installRecipe('cu126', 'linux'), { lock: 'cuda', torchBackend: 'cu126' });
  assert.deepEqual(installRecipe('cu128', 'win32'), { lock: 'cuda', torchBackend: 'cu128' });
  assert.throws(() => installRecipe('rocm6', 'linux'), /Unknown runtime flavour/);
});

/** A stand-in nvidia-smi on PATH: the GPU driver is the boundary this machine cannot reach. */
function fakeNvidiaSmi(output: string, code = 0): { env: NodeJS.ProcessEnv; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-fake-smi-'));
  fs.writeFileSync(path.join(dir, 'nvidia-smi'), `#!/bin/sh\nprintf '%s\\n' "${output}"\nexit ${code}\n`, { mode: 0o755 });
  return { env: { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH}` }, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

test('auto flavour reads the driver from nvidia-smi (stand-in script) and falls back to cpu without one', { skip: process.platform === 'win32' && 'POSIX shell stand-in' }, async () => {
  const recent = fakeNvidiaSmi('575.51.03, NVIDIA GeForce RTX 4090');
  try {
    assert.deepEqual(await detectNvidiaDriver(recent.env), { driverVersion: '575.51.03', gpuName: 'NVIDIA GeForce RTX 4090' });
    assert.equal((await resolveFlavour('auto', recent.env)).flavour, 'cu128');
  } finally {
    recent.cleanup();
  }
  const old = fakeNvidiaSmi('535.104.05, Tesla T4');
  try {
    assert.equal((await resolveFlavour('auto', old.env)).flavour, 'cu126');
  } finally {
    old.cleanup();
  }
  const broken = fakeNvidiaSmi('NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver', 9);
  try {
    assert.equal((await resolveFlavour('auto', broken.env)).flavour, 'cpu');
  } finally {
    broken.cleanup();
  }
  assert.equal((await resolveFlavour('auto', { ...process.env, PATH: '/nonexistent' })).flavour, 'cpu');
  assert.equal((await resolveFlavour('cpu', process.env)).flavour, 'cpu');
});
