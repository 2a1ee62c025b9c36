/** Byte progress for one download, sent a few times a second rather than once per network chunk. */
import type { Progress } from '../../shared/types/progress';

export class ByteProgress {
  private done: number;
  private detail = '';
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

  file(name: string): void {
    this.detail = name;
    this.flush();
  }

  add(delta: number): void {
    this.done += delta;
    if (this.now() - this.last >= this.intervalMs) this.flush();
  }

  flush(stage = 'Downloading'): void {
    this.last = this.now();
    this.send({ stage, done: Math.max(0, this.done), total: this.total, unit: 'bytes', ...(this.detail ? { detail: this.detail } : {}) });
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
