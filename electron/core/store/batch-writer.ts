/**
 * Buffers the high-rate rows (metrics, replay events, log lines, a run's latest step) and writes them
 * in one transaction every `intervalMs` or every `maxRows` rows, whichever comes first. One
 * transaction per batch instead of per row is what lets SQLite keep up with thousands of events a second;
 * the row cap is high (a metrics event is ~8 rows) because each commit rewrites the B-tree pages it
 * touches: bench/event-pipeline.ts measured p99 latency 214 ms with 200-row batches, 63 ms with 2000.
 */
import type Database from 'better-sqlite3';

export interface WriterOptions {
  maxRows?: number;
  intervalMs?: number;
  /** Called when a batch could not be written (disk full...); the rows stay queued for the next try. */
  onError?: (err: unknown) => void;
}

interface Progress {
  step: number;
  maxSteps: number | null;
  loss: number | null;
}

type Row =
  | { t: 'metric'; runId: string; name: string; step: number; value: number }
  | { t: 'event'; runId: string; seq: number; ts: string; kind: string; json: string }
  | { t: 'log'; runId: string; ts: string; level: string; message: string };

export class BatchWriter {
  private rows: Row[] = [];
  private progress = new Map<string, Progress>();
  private timer: NodeJS.Timeout | null = null;
  private readonly maxRows: number;
  private readonly intervalMs: number;
  private readonly write: (rows: Row[], progress: Map<string, Progress>) => void;

  constructor(db: Database.Database, private readonly opts: WriterOptions = {}) {
    this.maxRows = opts.maxRows ?? 2000;
    this.intervalMs = opts.intervalMs ?? 100;
    const metric = db.prepare('INSERT OR REPLACE INTO metrics (run_id, name, step, value) VALUES (?, ?, ?, ?)');
    const event = db.prepare('INSERT OR REPLACE INTO events (run_id, seq, ts, kind, json) VALUES (?, ?, ?, ?, ?)');
    const log = db.prepare('INSERT INTO logs (run_id, ts, level, message) VALUES (?, ?, ?, ?)');
    const step = db.prepare('UPDATE runs SET step = ?, max_steps = COALESCE(?, max_steps), final_loss = COALESCE(?, final_loss) WHERE id = ?');
    this.write = db.transaction((rows: Row[], progress: Map<string, Progress>) => {
      for (const r of rows) {
        if (r.t === 'metric') metric.run(r.runId, r.name, r.step, r.value);
        else if (r.t === 'event') event.run(r.runId, r.seq, r.ts, r.kind, r.json);
        else log.run(r.runId, r.ts, r.level, r.message);
      }
      for (const [runId, p] of progress) step.run(p.step, p.maxSteps, p.loss, runId);
    });
  }

  metric(runId: string, name: string, step: number, value: number): void {
    this.push({ t: 'metric', runId, name, step, value });
  }

  event(runId: string, seq: number, ts: string, kind: string, json: string): void {
    this.push({ t: 'event', runId, seq, ts, kind, json });
  }

  log(runId: string, ts: string, level: string, message: string): void {
    this.push({ t: 'log', runId, ts, level, message });
  }

  /** The run's latest step (and loss): kept in memory, written with the next batch. */
  stepReached(runId: string, step: number, maxSteps: number | null, loss: number | null): void {
    const prev = this.progress.get(runId);
    this.progress.set(runId, { step, maxSteps: maxSteps ?? prev?.maxSteps ?? null, loss: loss ?? prev?.loss ?? null });
    this.schedule();
  }

  /** Drops what is queued for a run (the run is being deleted). */
  discard(runId: string): void {
    this.rows = this.rows.filter((r) => r.runId !== runId);
    this.progress.delete(runId);
  }

  get pending(): number {
    return this.rows.length;
  }

  /** Writes everything queued now; readers call it first so they see every event already emitted. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.rows.length === 0 && this.progress.size === 0) return;
    const rows = this.rows;
    const progress = this.progress;
    this.rows = [];
    this.progress = new Map();
    try {
      this.write(rows, progress);
    } catch (err) {
      this.rows = rows.concat(this.rows);
      for (const [k, v] of progress) if (!this.progress.has(k)) this.progress.set(k, v);
      this.opts.onError?.(err);
      this.schedule();
    }
  }

  close(): void {
    this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private push(row: Row): void {
    this.rows.push(row);
    if (this.rows.length >= this.maxRows) this.flush();
    else this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.intervalMs);
    // A pending batch must not keep a CLI process alive; close() flushes on the way out.
    this.timer.unref();
  }
}
