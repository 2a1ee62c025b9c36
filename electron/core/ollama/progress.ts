/**
 * Export progress as 'ollama.progress' events. Hashing and uploading report every 1 MiB chunk; forwarding each
 * would flood the WebSocket with thousands of events per GB, so a stage reports at most every 100 ms, plus
 * its first and last value so bars always start and finish.
 */
import type { ExportProgress } from '../../shared/types/ollama';

export type ExportStage = 'hashing' | 'uploading' | 'creating' | 'quantizing' | 'checking' | 'done';

const INTERVAL_MS = 100;

export class ExportReporter {
  private last = 0;
  private stage: ExportStage | null = null;
  private done = 0;
  private total: number | null = null;
  private detail: string | undefined;

  constructor(
    private readonly ids: { exportId: string; runId: string },
    private readonly emit: (p: ExportProgress) => void,
  ) {}

  get current(): ExportStage | null {
    return this.stage;
  }

  /** Enters a stage (always reported). */
  start(stage: ExportStage, total: number | null, detail?: string): void {
    this.stage = stage;
    this.done = 0;
    this.total = total;
    this.detail = detail;
    this.flush();
  }

  /** Adds to the current stage's count (reported when due). */
  add(n: number, detail?: string): void {
    this.done += n;
    if (detail !== undefined) this.detail = detail;
    if (Date.now() - this.last >= INTERVAL_MS || (this.total !== null && this.done >= this.total)) this.flush();
  }

  /** Sets the current stage's count (reported when due); a changed total or detail is reported at once. */
  set(done: number, total: number | null, detail?: string): void {
    const changed = total !== this.total || (detail !== undefined && detail !== this.detail);
    this.done = done;
    this.total = total;
    if (detail !== undefined) this.detail = detail;
    if (changed || Date.now() - this.last >= INTERVAL_MS) this.flush();
  }

  flush(): void {
    if (!this.stage) return;
    this.last = Date.now();
    const unit = this.stage === 'hashing' || this.stage === 'uploading' || this.stage === 'quantizing' ? 'bytes' : 'items';
    this.emit({ ...this.ids, stage: this.stage, done: this.done, total: this.total, unit, ...(this.detail ? { detail: this.detail } : {}) });
  }
}
