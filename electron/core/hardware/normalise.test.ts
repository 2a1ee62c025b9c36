/**
 * The normaliser over one machine per case a user meets. The fixtures (hardware/fixtures/*.json) hold
 * systeminformation's fields and nvidia-smi's output in the exact formats those tools print, with the real
 * names, memory sizes, driver and CUDA versions of each card; there is no GPU on the test machine to record.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Hardware } from '../../shared/types/hardware';
import { normaliseHardware, pickGpu, vendorOf, type RawHardware } from './normalise';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string): RawHardware => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as RawHardware;
const hw = (name: string, preferred: number | null = null): Hardware => normaliseHardware(fixture(name), preferred);
const codes = (h: Hardware) => h.notices.map((n) => n.code);
const notice = (h: Hardware, code: string) => h.notices.find((n) => n.code === code)?.message ?? '';

test('RTX 3060 12 GB: VRAM, driver, compute capability and CUDA version, and the desktop\'s share named', () => {
  const h = hw('rtx3060-12gb');
  assert.equal(h.gpus.length, 1);
  assert.deepEqual(
    { ...h.gpus[0], processes: h.gpus[0].processes.map((p) => p.name) },
    { index: 0, vendor: 'nvidia', name: 'NVIDIA GeForce RTX 3060', vramTotalMb: 12288, vramFreeMb: 11250, driverVersion: '535.183.01', computeCapability: '8.6', cudaDriverVersion: '12.2', processes: ['Xorg', 'gnome-shell'] },
  );
  assert.equal(h.selectedGpu, 0);
  assert.equal(h.backend, 'cuda');
  assert.equal(h.cpu.brand, 'AMD Ryzen 5 5600X 6-Core Processor');
  assert.equal(h.ramTotalMb, Math.floor(31.3 * 1024));
  assert.deepEqual(h.disk, { path: '/home/ana/.local/share/hone', freeMb: Math.floor(201 * 1024), totalMb: 468 * 1024 });
  assert.deepEqual(codes(h), ['VRAM_IN_USE']);
  assert.match(notice(h, 'VRAM_IN_USE'), /1\.0 GB of NVIDIA GeForce RTX 3060's 12\.0 GB is in use by Xorg \(pid 1874, 596 MB\), gnome-shell \(pid 2210, 322 MB\)\. Hone plans with the 11\.0 GB left/);
});

test('RTX 4090, T4 and A100: clean machines give no notices; the T4 is found although systeminformation lists no controller', () => {
  for (const [name, gpu, total, cc, cuda] of [
    ['rtx4090-24gb', 'NVIDIA GeForce RTX 4090', 24564, '8.9', '12.4'],
    ['t4-16gb', 'Tesla T4', 15360, '7.5', '12.2'],
    ['a100-80gb', 'NVIDIA A100-SXM4-80GB', 81920, '8.0', '12.4'],
  ] as const) {
    const h = hw(name);
    assert.equal(h.gpus.length, 1, name);
    assert.deepEqual([h.gpus[0].name, h.gpus[0].vramTotalMb, h.gpus[0].computeCapability, h.gpus[0].cudaDriverVersion], [gpu, total, cc, cuda]);
    assert.equal(h.selectedGpu, 0);
    assert.equal(h.backend, 'cuda');
    assert.deepEqual(h.notices.filter((n) => n.code !== 'LOW_RAM'), [], name);
  }
  assert.equal(hw('rtx4090-24gb').disk.path, '/data/hone');
  assert.equal(hw('rtx4090-24gb').disk.freeMb, 2900 * 1024, 'the data folder\'s own mount, not /');
  assert.deepEqual(codes(hw('t4-16gb')), ['LOW_RAM'], 'Colab\'s 12.7 GB of RAM');
});

test('Windows laptop with an 8 GB RTX 4060 beside Intel graphics: trains on the NVIDIA, warns about disk, names processes without sizes', () => {
  const h = hw('laptop-rtx4060-8gb');
  assert.deepEqual(h.gpus.map((g) => [g.index, g.vendor, g.name]), [
    [0, 'nvidia', 'NVIDIA GeForce RTX 4060 Laptop GPU'],
    [1, 'intel', 'Intel(R) UHD Graphics'],
  ]);
  assert.equal(h.selectedGpu, 0);
  assert.equal(h.backend, 'cuda');
  assert.deepEqual(h.gpus[0].processes, [{ pid: 18244, name: 'firefox.exe', usedMb: 0 }, { pid: 9912, name: 'explorer.exe', usedMb: 0 }]);
  assert.match(notice(h, 'VRAM_IN_USE'), /in use by firefox\.exe \(pid 18244\), explorer\.exe \(pid 9912\)/);
  assert.match(notice(h, 'UNSUPPORTED_GPU'), /Intel\(R\) UHD Graphics: Intel GPUs/);
  assert.equal(h.disk.path.toLowerCase().startsWith('c:'), true);
  assert.equal(h.disk.freeMb, Math.floor(14.2 * 1024));
  assert.match(notice(h, 'LOW_DISK'), /Only 14\.2 GB free/);
  assert.ok(!codes(h).includes('LOW_RAM'), '15.7 GB is enough');
});

test('two NVIDIA GPUs: the one with the most free VRAM is picked, the busy one\'s holder is named, the choice can change', () => {
  const h = hw('two-gpus');
  assert.equal(h.selectedGpu, 1);
  assert.match(notice(h, 'MULTI_GPU'), /2 NVIDIA GPUs: Hone picked GPU 1, NVIDIA GeForce RTX 4090 \(23\.5 GB free, the most\)\. Choose another below, or several to train on them together/);
  assert.deepEqual(h.gpus[0].processes, [{ pid: 41234, name: 'python3', usedMb: 21204 }]);
  assert.ok(!codes(h).includes('VRAM_IN_USE'), 'the selected 4090 is idle');
  const chosen = hw('two-gpus', 0);
  assert.equal(chosen.selectedGpu, 0);
  assert.match(notice(chosen, 'MULTI_GPU'), /training on GPU 0, NVIDIA GeForce RTX 3090 \(2\.9 GB free\), as you chose\. GPU 1 has the most free VRAM \(23\.5 GB\)/);
  assert.match(notice(chosen, 'VRAM_IN_USE'), /21\.1 GB of NVIDIA GeForce RTX 3090's 24\.0 GB is in use by python3 \(pid 41234, 21204 MB\)/);
  assert.equal(hw('two-gpus', 7).selectedGpu, 1, 'an unknown preference falls back to the default');
});

test('several GPUs picked together (issue #15): all kept, the first leads, the smallest card\'s budget is named', () => {
  const raw = fixture('two-gpus');
  const both = normaliseHardware(raw, null, [1, 0]);
  assert.deepEqual([both.selectedGpu, both.selectedGpus], [1, [1, 0]]);
  assert.match(notice(both, 'MULTI_GPU'), /Training on 2 GPUs together \(1, 0\): one process per card; the plan decides whether each card holds the whole model \(DDP\) or a shard of it \(FSDP\)\. The cards differ: each process gets the smallest card's budget \(GPU 0, 2\.9 GB free\)/);
  assert.equal(normaliseHardware(raw, null, [1]).selectedGpus, undefined, 'one card is a single-GPU choice');
  assert.equal(normaliseHardware(raw, null, [0, 7]).selectedGpus, undefined, 'a card that is gone makes it a single-GPU choice again');
});

test('VRAM held by a game and a browser: plan with what is free and say who holds the rest', () => {
  const h = hw('busy-3060');
  assert.equal(h.gpus[0].vramFreeMb, 7400);
  assert.deepEqual(h.gpus[0].processes.map((p) => p.name), ['game.x86_64', 'firefox', 'Xorg']);
  assert.match(notice(h, 'VRAM_IN_USE'), /4\.8 GB .* in use by game\.x86_64 \(pid 7781, 3100 MB\), firefox \(pid 5530, 1210 MB\), Xorg \(pid 3121, 412 MB\)\. Hone plans with the 7\.2 GB left/);
});

test('driver too old for CUDA 12 wheels: the minimum is stated and training falls back to the CPU', () => {
  const h = hw('old-driver-1080ti');
  assert.equal(h.selectedGpu, 0, 'still shown and planned for, so the user sees what an update gives');
  assert.equal(h.backend, 'cpu');
  assert.match(notice(h, 'DRIVER_TOO_OLD'), /driver 470\.239\.06 is too old .* CUDA 12 \(it runs CUDA 11\.4 at most\)\. Update the driver to 525\.60\.13 or newer/);
  assert.match(notice(h, 'UNSUPPORTED_GPU'), /compute capability 6\.1\) is older than Unsloth's minimum/);
  const win = fixture('old-driver-1080ti');
  win.os.platform = 'win32';
  win.dataDir = 'C:\\hone';
  win.nvidiaSmi.gpus = win.nvidiaSmi.gpus!.replace('470.239.06', '527.56');
  assert.match(notice(normaliseHardware(win), 'DRIVER_TOO_OLD'), /528\.33 or newer/);
});

test('an NVIDIA card whose driver does not answer: say so, repair hint, CPU only', () => {
  const h = hw('driver-broken');
  assert.equal(h.gpus[0].vendor, 'nvidia');
  assert.equal(h.gpus[0].name, 'TU104 [GeForce RTX 2080 SUPER]');
  assert.equal(h.selectedGpu, null);
  assert.equal(h.backend, 'cpu');
  assert.match(notice(h, 'DRIVER_TOO_OLD'), /driver does not answer \(nvidia-smi said: NVIDIA-SMI has failed because it couldn't communicate/);
  assert.match(notice(h, 'CPU_ONLY'), /^No NVIDIA GPU Hone can train on\. You can still run the built-in demo/);
});

test('AMD, Intel and Apple GPUs: not supported by the CUDA path, CPU only, with what still works', () => {
  for (const [name, vendor, words] of [
    ['amd-7900xtx', 'amd', /AMD GPUs \(ROCm\) are not supported/],
    ['intel-arc', 'intel', /Intel GPUs \(XPU\) are not supported/],
    ['apple-m2', 'apple', /Apple GPUs \(Metal \/ MLX\) are not supported/],
  ] as const) {
    const h = hw(name);
    assert.equal(h.gpus.length, 1, name);
    assert.equal(h.gpus[0].vendor, vendor);
    assert.equal(h.selectedGpu, null);
    assert.equal(h.backend, 'cpu');
    assert.match(notice(h, 'UNSUPPORTED_GPU'), words);
    assert.match(notice(h, 'CPU_ONLY'), /demo .* Fine-tuning large models needs an NVIDIA GPU/);
  }
  assert.equal(hw('apple-m2').gpus[0].vramTotalMb, 0, 'unified memory has no VRAM figure');
  assert.equal(hw('apple-m2').disk.freeMb, 410 * 1024);
});

test('no GPU at all (this CI machine\'s case): CPU only, with what works', () => {
  const h = hw('no-gpu');
  assert.deepEqual(h.gpus, []);
  assert.equal(h.selectedGpu, null);
  assert.equal(h.backend, 'cpu');
  assert.deepEqual(codes(h), ['CPU_ONLY']);
  assert.equal(h.disk.path, '/tmp/hone-data');
});

test('vendor names as systeminformation spells them, and the default pick', () => {
  assert.equal(vendorOf('Advanced Micro Devices, Inc. [AMD/ATI]', 'Navi 31'), 'amd');
  assert.equal(vendorOf('NVIDIA Corporation', 'GA106'), 'nvidia');
  assert.equal(vendorOf('Intel Corporation', 'Arc'), 'intel');
  assert.equal(vendorOf('Apple', 'Apple M3'), 'apple');
  assert.equal(vendorOf('VMware', 'SVGA II'), 'other');
  assert.equal(pickGpu([]), null);
});
