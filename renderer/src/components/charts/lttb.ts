/**
 * Largest-Triangle-Three-Buckets downsampling (Steinarsson, 2013): keeps the points that carry a
 * line's visual shape — spikes included, unlike averaging or striding — so a 100k-step loss curve
 * drawn at 600 px looks the same with 600 points. Full-resolution data stays in SQLite.
 */

/** Indices of the points to keep (always the first and the last), in increasing order. */
export function lttbIndices(xs: ArrayLike<number>, ys: ArrayLike<number>, threshold: number): number[] {
  const n = xs.length;
  if (threshold >= n || threshold <= 2 || n <= 2) {
    if (n <= 2 || threshold >= n) return Array.from({ length: n }, (_, i) => i);
    return [0, n - 1].slice(0, Math.max(1, Math.min(n, threshold)));
  }
  const out: number[] = [0];
  // Buckets between the fixed first and last points.
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    // Average of the next bucket: the third corner of the triangle.
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += xs[j];
      avgY += ys[j];
    }
    const len = Math.max(1, nextEnd - nextStart);
    avgX /= len;
    avgY /= len;

    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    const ax = xs[a];
    const ay = ys[a];
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs((ax - avgX) * (ys[j] - ay) - (ax - xs[j]) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push(best);
    a = best;
  }
  out.push(n - 1);
  return out;
}

/** Convenience over parallel arrays: the kept points as {x, y}. */
export function lttb(xs: ArrayLike<number>, ys: ArrayLike<number>, threshold: number): { x: number; y: number }[] {
  return lttbIndices(xs, ys, threshold).map((i) => ({ x: xs[i], y: ys[i] }));
}
