/**
 * The hardware service end to end through the core's request handlers: real systeminformation, real
 * process spawning, and a stand-in `nvidia-smi` on PATH (a test double: there is no NVIDIA GPU on the test
 * machine). The stand-in prints the recorded output of a fixture machine and refuses any other query.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Hardware } from '../../../shared/types/hardware';
import { createCore, type Core } from '../../app';
import type { RawHardware } from '../normalise';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const temps: string[] = [];
const cores: Core[] = [];
after(async () => {
  for (const c of cores) await c.close();
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

const STAND_IN = `#!/bin/sh
# Stand-in for nvidia-smi (test double: no NVIDIA GPU on the test machine). Prints recorded output.
dir=$(dirname "$0")
if [ -f "$dir/fail.txt" ]; then cat "$dir/fail.txt"; exit 9; fi
case "$1" in
  --query-gpu=index,uuid,*) cat "$dir/gpus.txt" ;;
  --query-compute-apps=*) cat "$dir/apps.txt" ;;
  "") cat "$dir/banner.txt" ;;
  *) echo "stand-in nvidia-smi: no recording for $*" >&2; exit 2 ;;
esac
`;

/** A bin folder holding the stand-in, primed with a fixture machine's nvidia-smi output. */
function standIn(fixture: string): string {
  const raw = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${fixture}.json`), 'utf8')) as RawHardware;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-smi-'));
  temps.push(dir);
  fs.writeFileSync(path.join(dir, 'nvidia-smi'), STAND_IN, { mode: 0o755 });
  if (raw.nvidiaSmi.error) fs.writeFileSync(path.join(dir, 'fail.txt'), raw.nvidiaSmi.error);
  fs.writeFileSync(path.join(dir, 'gpus.txt'), raw.nvidiaSmi.gpus ?? '');
  fs.writeFileSync(path.join(dir, 'apps.txt'), raw.nvidiaSmi.apps ?? '');
  fs.writeFileSync(path.join(dir, 'banner.txt'), raw.nvidiaSmi.banner ?? '');
  return dir;
}

function core(binDir: string | null): Core {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-hw-data-'));
  temps.push(dataDir);
  const env = { ...process.env, PATH: binDir ? `${binDir}${path.delimiter}${process.env.PATH}` : process.env.PATH };
  const c = createCore({ mode: 'cli', env, paths: { dataDir } });
  cores.push(c);
  return c;
}

const skip = process.platform === 'win32' ? 'the stand-in is a POSIX shell script' : false;

test('this machine as it is (no nvidia-smi): CPU only, with its real CPU, RAM and disk', { skip }, async () => {
  const c = core(null);
  const hw = await c.handlers['hardware.get']();
  assert.equal(hw.selectedGpu, null);
  assert.equal(hw.backend, 'cpu');
  assert.ok(hw.notices.some((n) => n.code === 'CPU_ONLY'));
  assert.equal(hw.cpu.cores, os.cpus().length);
  assert.ok(Math.abs(hw.ramTotalMb - os.totalmem() / 2 ** 20) < 2);
  assert.equal(hw.disk.path, c.ctx.paths.dataDir);
  assert.ok(hw.disk.freeMb !== null && hw.disk.freeMb > 0);
  const plan = await c.handlers['plan.compute']({ model: 'smollm2-135m-instruct' });
  assert.equal(plan.device, 'cpu');
  assert.equal(plan.fits, true);
});

test('an RTX 3060 through the stand-in nvidia-smi: read, cached, and planned against', { skip }, async () => {
  const c = core(standIn('rtx3060-12gb'));
  const hw = await c.handlers['hardware.get']();
  assert.equal(hw.backend, 'cuda');
  assert.deepEqual([hw.gpus[0].name, hw.gpus[0].vramTotalMb, hw.gpus[0].vramFreeMb, hw.gpus[0].computeCapability, hw.gpus[0].cudaDriverVersion], ['NVIDIA GeForce RTX 3060', 12288, 11250, '8.6', '12.2']);
  assert.deepEqual(hw.gpus[0].processes.map((p) => p.name), ['Xorg', 'gnome-shell']);
  assert.equal(await c.handlers['hardware.get'](), hw, 'the second call is served from the cache');
  const plan = await c.handlers['plan.compute']({ model: 'llama-3.1-8b-instruct' });
  assert.equal(plan.device, 'cuda');
  assert.equal(plan.vram_budget_gb, Math.round((11250 / 1024) * 100) / 100);
  assert.equal(plan.method, 'qlora');
  assert.match(plan.reasons[0], /on NVIDIA GeForce RTX 3060/);
});

test('two GPUs: the idle one is picked; selectGpu switches, emits hardware.changed and re-plans', { skip }, async () => {
  const c = core(standIn('two-gpus'));
  const events: Hardware[] = [];
  c.bus.on('hardware.changed', (h) => events.push(h));
  const hw = await c.handlers['hardware.get']();
  assert.equal(hw.selectedGpu, 1);
  const before = await c.handlers['plan.compute']({ model: 'qwen2.5-7b-instruct' });
  assert.equal(before.method, 'lora');
  const switched = await c.handlers['hardware.selectGpu']({ index: 0 });
  assert.equal(switched.selectedGpu, 0);
  assert.equal(events.length, 1);
  assert.equal(events[0].selectedGpu, 0);
  assert.ok(switched.notices.some((n) => n.code === 'VRAM_IN_USE' && n.message.includes('python3 (pid 41234, 21204 MB)')));
  const after = await c.handlers['plan.compute']({ model: 'qwen2.5-7b-instruct' });
  assert.ok(after.vram_budget_gb < 3, 'planned with the busy card\'s free VRAM');
  assert.equal(after.fits, false);
  const refreshed = await c.handlers['hardware.get']({ refresh: true });
  assert.equal(refreshed.selectedGpu, 0, 'the choice survives a refresh');
  await assert.rejects(c.handlers['hardware.selectGpu']({ index: 5 }), /There is no GPU 5/);
  // Both cards together (issue #15): one process per card, each with the busy card's budget.
  const both = await c.handlers['hardware.selectGpus']({ indices: [1, 0] });
  assert.deepEqual(both.selectedGpus, [1, 0]);
  const multi = await c.handlers['plan.compute']({ model: 'qwen2.5-0.5b-instruct' });
  assert.equal(multi.distributed?.processes, 2);
  assert.deepEqual(multi.distributed?.gpu_indices, [1, 0]);
  assert.equal(multi.vram_budget_gb, after.vram_budget_gb, 'each process gets the smallest card\'s budget');
  assert.equal((await c.handlers['hardware.get']({ refresh: true })).selectedGpus?.length, 2, 'the choice survives a refresh');
  await assert.rejects(c.handlers['hardware.selectGpus']({ indices: [0, 5] }), /There is no GPU 5/);
  assert.equal((await c.handlers['hardware.selectGpus']({ indices: [0] })).selectedGpus, undefined);
});

test('a failing nvidia-smi is reported with its own words', { skip }, async () => {
  const c = core(standIn('driver-broken'));
  const hw = await c.handlers['hardware.get']();
  assert.equal(hw.backend, 'cpu');
  const n = hw.notices.find((x) => x.code === 'DRIVER_TOO_OLD');
  assert.match(n?.message ?? '', /nvidia-smi is installed but failed \(NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver/);
});

test('catalog.list, catalog.inspectFolder and plan.compute refuse bad input clearly', { skip }, async () => {
  const c = core(null);
  const list = await c.handlers['catalog.list']();
  assert.ok(list.length >= 16);
  await assert.rejects(c.handlers['catalog.inspectFolder']({ path: os.tmpdir() }), /not a model folder: it has no config\.json/);
  await assert.rejects(c.handlers['catalog.inspectFolder']({ path: ' ' }), /No folder was given/);
  await assert.rejects(c.handlers['plan.compute']({ model: 'gpt-5' }), /not in the model catalogue/);
  await assert.rejects(c.handlers['plan.compute']({ model: 'smollm2-135m-instruct', overrides: { batchSize: 0 } }), /batch size must be a whole number from 1/);
  await assert.rejects(c.handlers['plan.compute']({ model: 'smollm2-135m-instruct', overrides: { method: 'qlora8' as 'qlora' } }), /method must be one of qlora, lora, full/);
});
