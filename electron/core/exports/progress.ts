/**
 * 'exports.progress' events, throttled like the Ollama export's: a byte-counting stage reports at most every
 * 100 ms, plus every stage change and every stage's last value, so bars always start and finish.
 */
import type { ExportTarget, FileExportProgress } from '../../shared/types/exports';
import type { Progress } from '../../shared/types/progress';

const INTERVAL_MS = 100;

export class FileReporter {
  private last = 0;
  private p: Progress | null = null;

  constructor(
    private readonly ids: { exportId: string; runId: string; target: ExportTarget },
    private readonly emit: (p: FileExportProgress) => void,
  ) {}

  get stage(): string | null {
    return this.p?.stage ?? null;
  }

  start(stage: string, total: number | null, unit: Progress['unit'], detail?: string): void {
    this.p = { stage, done: 0, total, unit, ...(detail ? { detail } : {}) };
    this.flush();
  }

  add(n: number): void {
    if (!this.p) return;
    this.p.done += n;
    if (Date.now() - this.last >= INTERVAL_MS || (this.p.total !== null && this.p.done >= this.p.total)) this.flush();
  }

  /** Mirrors another reporter's event (the Ollama send inside a GGUF export) under this export's ids. */
  relay(p: Progress): void {
    const changed = p.stage !== this.p?.stage || p.detail !== this.p?.detail || p.total !== this.p?.total;
    this.p = { ...p };
    if (changed || Date.now() - this.last >= INTERVAL_MS) this.flush();
  }

  flush(): void {
    if (!this.p) return;
    this.last = Date.now();
    this.emit({ ...this.ids, ...this.p });
  }
}
