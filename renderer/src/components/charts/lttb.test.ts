import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lttb, lttbIndices } from './lttb';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test('short series and degenerate thresholds come back whole or clamped', () => {
  assert.deepEqual(lttbIndices([], [], 10), []);
  assert.deepEqual(lttbIndices([1], [5], 10), [0]);
  assert.deepEqual(lttbIndices(range(5), range(5), 5), [0, 1, 2, 3, 4]);
  assert.deepEqual(lttbIndices(range(5), range(5), 50), [0, 1, 2, 3, 4]);
  assert.deepEqual(lttbIndices(range(100), range(100), 2), [0, 99]);
});

test('keeps exactly threshold points, first and last included, in order', () => {
  const xs = range(100_000);
  const ys = xs.map((x) => Math.sin(x / 500) + Math.cos(x / 37));
  const idx = lttbIndices(xs, ys, 640);
  assert.equal(idx.length, 640);
  assert.equal(idx[0], 0);
  assert.equal(idx.at(-1), 99_999);
  for (let i = 1; i < idx.length; i++) assert.ok(idx[i] > idx[i - 1]);
});

test('a single spike survives downsampling (striding would drop it)', () => {
  const xs = range(10_000);
  const ys = xs.map(() => 1);
  ys[4_321] = 50;
  const kept = lttb(xs, ys, 100);
  assert.ok(kept.some((p) => p.x === 4_321 && p.y === 50), 'the spike is kept');
  const strided = xs.filter((x) => x % 100 === 0);
  assert.ok(!strided.includes(4_321), 'control: naive striding misses it');
});

test('the shape of a falling loss curve is preserved within a small error', () => {
  const xs = range(20_000);
  const ys = xs.map((x) => 3 * Math.exp(-x / 4000) + 0.2);
  const kept = lttb(xs, ys, 300);
  // Linear interpolation of the kept points against the full series.
  let worst = 0;
  for (let k = 1; k < kept.length; k++) {
    const a = kept[k - 1];
    const b = kept[k];
    for (let x = a.x; x <= b.x; x += 7) {
      const interp = a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
      worst = Math.max(worst, Math.abs(interp - ys[x]));
    }
  }
  assert.ok(worst < 0.01, `max error ${worst}`);
});
