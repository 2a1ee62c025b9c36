/**
 * Power sampling through a stand-in `nvidia-smi` on PATH (a test double at a boundary we cannot reach: the
 * test machine has no NVIDIA GPU). The stand-in answers only the query the sampler must send, in a loop as
 * `-lms` does, from a recording; the real-machine case (no nvidia-smi at all) runs as it is.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { PowerSampler } from './power';

const temps: string[] = [];
after(() => {
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

const STAND_IN = `#!/bin/sh
# Stand-in for nvidia-smi (test double: no NVIDIA GPU on the test machine). Replays recorded power readings.
dir=$(dirname "$0")
if [ "$1" != "--query-gpu=index,name,power.draw" ] || [ "$2" != "--format=csv,noheader,nounits" ] || [ "$3" != "-lms" ]; then
  echo "stand-in nvidia-smi: no recording for $*" >&2; exit 2
fi
if [ -f "$dir/fail.txt" ]; then cat "$dir/fail.txt" >&2; exit 9; fi
# -i N: only that GPU's lines.
if [ "$5" = "-i" ]; then while true; do grep "^$6," "$dir/power.txt"; sleep 0.05; done; fi
while true; do cat "$dir/power.txt"; sleep 0.05; done
`;

function standIn(readings: string, fail?: string): NodeJS.ProcessEnv {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-power-'));
  temps.push(dir);
  fs.writeFileSync(path.join(dir, 'nvidia-smi'), STAND_IN, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'power.txt'), readings);
  if (fail) fs.writeFileSync(path.join(dir, 'fail.txt'), fail);
  return { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH}` };
}

const sampleFor = async (env: NodeJS.ProcessEnv, ms = 500, gpu: number | null = null) => {
  const s = new PowerSampler(env, 50, gpu).start();
  await new Promise((r) => setTimeout(r, ms));
  return s.stop();
};

const skip = process.platform === 'win32' ? 'the stand-in is a POSIX shell script' : false;

test('the busiest GPU\'s draw is averaged over the samples', { skip }, async () => {
  const m = await sampleFor(standIn('0, NVIDIA GeForce RTX 4090, 312.40\n1, NVIDIA T400, 9.12\n'));
  assert.equal(m.watts, 312.4);
  assert.equal(m.gpu, 'NVIDIA GeForce RTX 4090');
  assert.ok(m.samples >= 3, `${m.samples} samples`);
  assert.equal(m.reason, undefined);
});

test('the GPU the run uses is the one measured, when the plan names it', { skip }, async () => {
  const m = await sampleFor(standIn('0, NVIDIA GeForce RTX 4090, 312.40\n1, NVIDIA RTX A4000, 98.50\n'), 500, 1);
  assert.deepEqual([m.watts, m.gpu], [98.5, 'NVIDIA RTX A4000']);
});

test('a GPU that does not report power gives no figure and says so', { skip }, async () => {
  const m = await sampleFor(standIn('0, NVIDIA GeForce GTX 1050, [N/A]\n'));
  assert.equal(m.watts, null);
  assert.match(m.reason!, /does not report its power draw/);
});

test('nvidia-smi failing (driver gone) is reported with its own words', { skip }, async () => {
  const m = await sampleFor(standIn('', 'NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver.'));
  assert.equal(m.watts, null);
  assert.match(m.reason!, /couldn't communicate with the NVIDIA driver/);
});

test('without nvidia-smi (this machine) the power is not measured, and not invented', async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-nopath-'));
  temps.push(empty);
  const m = await sampleFor({ ...process.env, PATH: empty }, 100);
  assert.deepEqual({ watts: m.watts, samples: m.samples }, { watts: null, samples: 0 });
  assert.match(m.reason!, /nvidia-smi not found/);
});
