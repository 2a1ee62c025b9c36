/**
 * Token-length statistics in constant memory: exact counts per length up to 128k tokens (512 KB), so the
 * p95 is exact however many rows there are; longer rows only move the max and the top bucket.
 */
import type { DatasetStats } from '../../shared/types/dataset';
import type { TokenCounter } from './tokens';

const EXACT = 1 << 17;

export class LengthStats {
  private counts = new Uint32Array(EXACT + 1);
  private rows = 0;
  private total = 0;
  private max = 0;
  private over = 0;

  constructor(private maxSeqLength: number | null) {}

  add(tokens: number): void {
    this.rows++;
    this.total += tokens;
    if (tokens > this.max) this.max = tokens;
    this.counts[Math.min(tokens, EXACT)]++;
    if (this.maxSeqLength !== null && tokens > this.maxSeqLength) this.over++;
  }

  /** Smallest length L such that at least q of the rows are <= L. */
  private quantile(q: number): number {
    const target = Math.ceil(q * this.rows);
    let seen = 0;
    for (let len = 0; len < EXACT; len++) {
      seen += this.counts[len];
      if (seen >= target) return len;
    }
    return this.max;
  }

  finish(counter: TokenCounter['kind']): DatasetStats {
    return {
      rows: this.rows,
      totalTokens: this.total,
      meanTokens: this.rows ? Math.round(this.total / this.rows) : 0,
      p95Tokens: this.rows ? this.quantile(0.95) : 0,
      maxTokens: this.max,
      tokenCounter: counter,
      histogram: this.histogram(),
      truncated: this.over,
      maxSeqLength: this.maxSeqLength,
    };
  }

  /** About 24 buckets of a round width spanning the longest row and the max sequence length. */
  private histogram(): DatasetStats['histogram'] {
    if (this.rows === 0) return [];
    const top = Math.max(this.max, this.maxSeqLength ?? 0, 1);
    const width = niceWidth(top / 24);
    const buckets: DatasetStats['histogram'] = [];
    for (let upTo = width; upTo - width < top; upTo += width) buckets.push({ upTo, count: 0 });
    for (let len = 0; len <= EXACT; len++) {
      const c = this.counts[len];
      if (c) buckets[Math.min(buckets.length - 1, Math.max(0, Math.ceil(len / width) - 1))].count += c;
    }
    return buckets;
  }
}

function niceWidth(x: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(x, 1)));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}
