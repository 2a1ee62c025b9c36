/**
 * The train/eval split: an exact share of the good rows, chosen by a seeded shuffle, so the same file,
 * percentage and seed always give the same split (and the eval set is never empty when asked for).
 */

/** mulberry32: a tiny, well-mixed seeded PRNG; Math.random cannot be seeded. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function evalCount(rows: number, percent: number): number {
  if (!(percent > 0) || rows < 2) return 0;
  return Math.min(rows - 1, Math.max(1, Math.round((rows * percent) / 100)));
}

/** A mask over good-row indices: 1 = eval. Memory: one byte a row. */
export function evalMask(rows: number, percent: number, seed: number): Uint8Array {
  const mask = new Uint8Array(rows);
  const k = evalCount(rows, percent);
  if (k === 0) return mask;
  const idx = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) idx[i] = i;
  const rand = prng(seed);
  // Partial Fisher-Yates: the first k slots end up a uniform sample.
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (rows - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
    mask[idx[i]] = 1;
  }
  return mask;
}
