import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseComputeApps, parseCudaVersion, parseGpuQuery, parseProcessTable } from './nvidia-smi';
import { compareVersions, driverTooOld } from './driver';

test('parseGpuQuery reads the CSV rows, with and without compute capability, N/A and commas in names', () => {
  const rows = parseGpuQuery(
    '0, GPU-aaa, NVIDIA GeForce RTX 3060, 12288, 11250, 535.183.01, 8.6\r\n' +
      '1, GPU-bbb, Quadro RTX 8000, with extras, 49152, [N/A], 535.183.01, 7.5\n' +
      '\n' +
      'Field "compute_cap" is not a valid field to query.\n',
  );
  assert.deepEqual(rows, [
    { index: 0, uuid: 'GPU-aaa', name: 'NVIDIA GeForce RTX 3060', totalMb: 12288, freeMb: 11250, driverVersion: '535.183.01', computeCapability: '8.6' },
    { index: 1, uuid: 'GPU-bbb', name: 'Quadro RTX 8000, with extras', totalMb: 49152, freeMb: null, driverVersion: '535.183.01', computeCapability: '7.5' },
  ]);
  assert.deepEqual(parseGpuQuery('0, GPU-ccc, GeForce GTX 970, 4096, 3900, 460.91.03'), [
    { index: 0, uuid: 'GPU-ccc', name: 'GeForce GTX 970', totalMb: 4096, freeMb: 3900, driverVersion: '460.91.03', computeCapability: null },
  ]);
});

test('parseComputeApps keeps the program name and treats [N/A] memory as unknown', () => {
  assert.deepEqual(parseComputeApps('41234, /home/ml/venv/bin/python3, 21204, GPU-1\n9912, C:\\Windows\\explorer.exe, [N/A], GPU-2\n'), [
    { pid: 41234, name: 'python3', usedMb: 21204, gpuUuid: 'GPU-1' },
    { pid: 9912, name: 'explorer.exe', usedMb: 0, gpuUuid: 'GPU-2' },
  ]);
  assert.deepEqual(parseComputeApps('No running processes found'), []);
});

test('the banner gives the CUDA version and the processes table, old and new layouts', () => {
  const banner = [
    '| NVIDIA-SMI 535.183.01             Driver Version: 535.183.01   CUDA Version: 12.2     |',
    '|    0   N/A  N/A      3121      G   /usr/lib/xorg/Xorg                          412MiB |',
    '|    1   N/A  N/A     41234      C   python3                                   21204MiB |',
    '|    0      7781    C+G   ...eamapps/common/Game/game.x86_64             N/A      |',
  ].join('\n');
  assert.equal(parseCudaVersion(banner), '12.2');
  assert.equal(parseCudaVersion('no banner'), null);
  assert.deepEqual(parseProcessTable(banner), [
    { gpuIndex: 0, pid: 3121, name: 'Xorg', usedMb: 412 },
    { gpuIndex: 1, pid: 41234, name: 'python3', usedMb: 21204 },
    { gpuIndex: 0, pid: 7781, name: 'game.x86_64', usedMb: 0 },
  ]);
});

test('driver versions compare numerically against the CUDA 12 minimums', () => {
  assert.ok(compareVersions('525.60.13', '525.60.2') > 0);
  assert.equal(driverTooOld('525.60.13', 'linux'), false);
  assert.equal(driverTooOld('525.60.12', 'linux'), true);
  assert.equal(driverTooOld('528.24', 'win32'), true);
  assert.equal(driverTooOld('551.61', 'win32'), false);
  assert.equal(driverTooOld(null, 'linux'), false);
});
