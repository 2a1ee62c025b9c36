// The duplicate table: first copies remembered through resizes, and a hard cap that keeps memory flat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuplicateFinder, MAX_CHECKED_ROWS } from './dedupe';
import { prng } from './split';

test('finds every repeat with the line of its first copy, across resizes, and nothing else', () => {
  const d = new DuplicateFinder();
  const rand = prng(3);
  const keys = Array.from({ length: 200_000 }, () => [((rand() * 2 ** 32) | 1) >>> 0, (rand() * 2 ** 32) >>> 0] as const);
  keys.forEach(([hi, lo], i) => assert.equal(d.check(hi, lo, i + 1), 0));
  for (const i of [0, 4095, 65_536, 199_999]) assert.equal(d.check(keys[i][0], keys[i][1], 300_000), i + 1);
  assert.equal(d.saturated, false);
});

test('stops growing at the cap and says so, still answering for the rows it holds', () => {
  const d = new DuplicateFinder();
  for (let i = 0; i < MAX_CHECKED_ROWS + 10; i++) d.check(((i * 2654435761) | 1) >>> 0, i, i + 1);
  assert.equal(d.saturated, true);
  assert.equal(d.check(((5 * 2654435761) | 1) >>> 0, 5, 1e9), 6);
});
