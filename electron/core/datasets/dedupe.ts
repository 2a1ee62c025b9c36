/**
 * Duplicate rows, found by a 64-bit hash of the normalised row (measure.ts) kept in an open-addressing
 * table of typed arrays (12 bytes a slot, with the line of the first copy) instead of a Set of strings.
 * Filled to 3/4 and capped at 4M slots (48 MB; 72 MB while the last resize copies), it checks the first
 * ~3.1 million distinct rows; past that `saturated` makes the report say later rows were not checked.
 * The cap keeps validation's memory flat for any file size.
 */

const MAX_SLOTS = 1 << 22;
export const MAX_CHECKED_ROWS = (MAX_SLOTS * 3) / 4;

export class DuplicateFinder {
  private hi = new Uint32Array(1 << 16);
  private lo = new Uint32Array(1 << 16);
  private lines = new Uint32Array(1 << 16);
  private size = 0;
  saturated = false;

  /** The line of an earlier identical row, or 0 when this one is new. */
  /** `hi` must be non-zero: 0 marks an empty slot. */
  check(hi: number, lo: number, line: number): number {
    const found = this.find(hi, lo);
    if (found >= 0 && this.hi[found] !== 0) return this.lines[found];
    if (this.saturated) return 0;
    if ((this.size + 1) * 4 > this.hi.length * 3) {
      if (this.hi.length >= MAX_SLOTS) {
        this.saturated = true;
        return 0;
      }
      this.grow();
    }
    const slot = this.find(hi, lo);
    this.hi[slot] = hi;
    this.lo[slot] = lo;
    this.lines[slot] = line;
    this.size++;
    return 0;
  }

  /** The slot holding (hi, lo), or the empty slot where it would go. */
  private find(hi: number, lo: number): number {
    const mask = this.hi.length - 1;
    let i = (lo ^ (hi >>> 7)) & mask;
    while (this.hi[i] !== 0 && !(this.hi[i] === hi && this.lo[i] === lo)) i = (i + 1) & mask;
    return i;
  }

  private grow(): void {
    const [hi, lo, lines] = [this.hi, this.lo, this.lines];
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(hi.length * 2);
    this.lines = new Uint32Array(hi.length * 2);
    for (let i = 0; i < hi.length; i++) {
      if (hi[i] === 0) continue;
      const slot = this.find(hi[i], lo[i]);
      this.hi[slot] = hi[i];
      this.lo[slot] = lo[i];
      this.lines[slot] = lines[i];
    }
  }
}
