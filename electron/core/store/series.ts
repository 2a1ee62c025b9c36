/**
 * The per-run streams: the replay log (events, numbered by `seq`), metric values and log lines.
 * Writes go through the BatchWriter; every read flushes it first, so a reader sees every event that
 * has already been pushed to the bus.
 */
import type Database from 'better-sqlite3';
import type { MetricPoint, RunEvent } from '../../shared/types/runs';
import type { BatchWriter } from './batch-writer';

/**
 * After a crash, up to one unwritten batch of events may have reached clients without reaching the
 * database. Numbering restarts this far above the stored maximum so a client that saw those events
 * never mistakes new events for ones it already has. Larger than any batch the writer holds.
 */
export const SEQ_GAP_AFTER_CRASH = 100_000;

export class SeriesStore {
  private nextSeqs = new Map<string, number>();
  private readonly q: {
    maxSeq: Database.Statement<[string], { m: number | null }>;
    events: Database.Statement<[string, number, number], { json: string }>;
    metrics: Database.Statement<[string], MetricPoint>;
    logs: Database.Statement<[string, number], { message: string }>;
    dropMetrics: Database.Statement<[string, number]>;
    lastStep: Database.Statement<[string], { m: number | null }>;
  };

  constructor(db: Database.Database, private readonly writer: BatchWriter) {
    this.q = {
      maxSeq: db.prepare('SELECT MAX(seq) AS m FROM events WHERE run_id = ?'),
      events: db.prepare('SELECT json FROM events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
      metrics: db.prepare('SELECT step, name, value FROM metrics WHERE run_id = ? ORDER BY name, step'),
      logs: db.prepare('SELECT message FROM (SELECT id, message FROM logs WHERE run_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id'),
      dropMetrics: db.prepare('DELETE FROM metrics WHERE run_id = ? AND step > ?'),
      lastStep: db.prepare('SELECT MAX(step) AS m FROM metrics WHERE run_id = ?'),
    };
  }

  /** Numbers an event, queues it for the database and returns it for the bus. */
  append(runId: string, body: Omit<RunEvent, 'runId' | 'seq' | 'ts'>, opts: { afterCrash?: boolean } = {}): RunEvent {
    const seq = this.nextSeq(runId, opts.afterCrash ?? false);
    const event: RunEvent = { runId, seq, ts: new Date().toISOString(), ...body };
    this.writer.event(runId, seq, event.ts, event.kind, JSON.stringify(event));
    return event;
  }

  lastSeq(runId: string): number {
    return this.nextSeq(runId, false, false) - 1;
  }

  events(runId: string, afterSeq: number, limit = 10_000): RunEvent[] {
    this.writer.flush();
    return this.q.events.all(runId, afterSeq, limit).map((r) => JSON.parse(r.json) as RunEvent);
  }

  metric(runId: string, name: string, step: number, value: number): void {
    // NaN/Infinity (a diverging loss) are not valid REAL values for a chart; keep them out, the event keeps them.
    if (Number.isFinite(value)) this.writer.metric(runId, name, step, value);
  }

  metrics(runId: string, names?: string[]): MetricPoint[] {
    this.writer.flush();
    const all = this.q.metrics.all(runId);
    return names && names.length ? all.filter((p) => names.includes(p.name)) : all;
  }

  /** The highest step with a stored value (0 when none). */
  lastMetricStep(runId: string): number {
    this.writer.flush();
    return this.q.lastStep.get(runId)?.m ?? 0;
  }

  /** A resumed run re-trains the steps after its checkpoint: their old values go. */
  dropMetricsAfter(runId: string, step: number): void {
    this.writer.flush();
    this.q.dropMetrics.run(runId, step);
  }

  log(runId: string, level: string, message: string): void {
    this.writer.log(runId, new Date().toISOString(), level, message);
  }

  logs(runId: string, limit = 500): string[] {
    this.writer.flush();
    return this.q.logs.all(runId, limit).map((r) => r.message);
  }

  forget(runId: string): void {
    this.writer.discard(runId);
    this.nextSeqs.delete(runId);
  }

  private nextSeq(runId: string, afterCrash: boolean, take = true): number {
    let next = this.nextSeqs.get(runId);
    if (next === undefined || afterCrash) {
      const stored = (this.q.maxSeq.get(runId)?.m ?? 0) + 1;
      next = Math.max(next ?? 0, afterCrash ? stored + SEQ_GAP_AFTER_CRASH : stored);
    }
    this.nextSeqs.set(runId, take ? next + 1 : next);
    return next;
  }
}
