/** Byte progress for one download, sent a few times a second rather than once per network chunk. */
import type { Progress } from '../../shared/types/progress';

export class ByteProgress {
  private done: number;
  private detail = '';
  private stageName = 'Downloading';
  private note = '';
  private readonly active: string[] = [];
  private last = -Infinity;

  constructor(
    private readonly total: number,
    start: number,
    private readonly send: (p: Progress) => void,
    private readonly intervalMs = 250,
    private readonly now: () => number = Date.now,
  ) {
    this.done = start;
  }

  /** Bytes counted so far. */
  get bytes(): number {
    return this.done;
  }

  /** The files in flight, named in the detail ("a.safetensors, b.safetensors"). */
  start(name: string): void {
    this.active.push(name);
    this.describe();
    this.flush(this.stageName);
  }

  end(name: string): void {
    const i = this.active.indexOf(name);
    if (i >= 0) this.active.splice(i, 1);
    this.describe();
  }

  /** One file at a time (kept for callers of the sequential form). */
  file(name: string): void {
    this.active.length = 0;
    this.start(name);
  }

  /** A phase other than moving bytes (checking a resumed file, waiting out a rate limit), said in words. */
  phase(stage: string, note = ''): void {
    this.stageName = stage;
    this.note = note;
    this.describe();
    this.flush(stage);
  }

  add(delta: number): void {
    this.done += delta;
    if (this.stageName !== 'Downloading' && delta > 0) {
      this.stageName = 'Downloading';
      this.note = '';
      this.describe();
    }
    if (this.now() - this.last >= this.intervalMs) this.flush(this.stageName);
  }

  flush(stage = this.stageName): void {
    this.last = this.now();
    this.send({ stage, done: Math.max(0, Math.min(this.done, this.total)), total: this.total, unit: 'bytes', ...(this.detail ? { detail: this.detail } : {}) });
  }

  private describe(): void {
    this.detail = this.note || this.active.join(', ');
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}
