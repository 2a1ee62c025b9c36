/**
 * Evaluation reports of runs (table eval_reports, migration 2). Written only by the eval service
 * (electron/core/eval); a run's reports go with it when the run is deleted.
 */
import type Database from 'better-sqlite3';
import type { ErrorInfo } from '../../shared/errors';
import type { EvalProgressInfo, EvalRecord, EvalReport, EvalStatus } from '../../shared/types/eval';

interface Row {
  id: string;
  run_id: string;
  status: EvalStatus;
  trigger: EvalRecord['trigger'];
  created_at: string;
  ended_at: string | null;
  data_path: string | null;
  data_source: EvalRecord['dataSource'];
  report: string | null;
  error: string | null;
  owner_pid: number | null;
}

export interface NewEval {
  id: string;
  runId: string;
  trigger: EvalRecord['trigger'];
  dataPath: string | null;
  dataSource: EvalRecord['dataSource'];
  ownerPid: number;
}

function toRecord(r: Row, progress: EvalProgressInfo | null = null): EvalRecord {
  return {
    id: r.id,
    runId: r.run_id,
    status: r.status,
    trigger: r.trigger,
    createdAt: r.created_at,
    endedAt: r.ended_at,
    dataPath: r.data_path,
    dataSource: r.data_source,
    progress: r.status === 'running' ? progress : null,
    report: r.report ? (JSON.parse(r.report) as EvalReport) : null,
    error: r.error ? (JSON.parse(r.error) as ErrorInfo) : null,
  };
}

export class EvalReports {
  constructor(private readonly db: Database.Database) {}

  create(e: NewEval): EvalRecord {
    this.db
      .prepare('INSERT INTO eval_reports (id, run_id, status, trigger, created_at, data_path, data_source, owner_pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.id, e.runId, 'running', e.trigger, new Date().toISOString(), e.dataPath, e.dataSource, e.ownerPid);
    return this.get(e.id)!;
  }

  /** Ends an evaluation: its status, and the report and/or error it ended with. */
  finish(id: string, status: Exclude<EvalStatus, 'running'>, report: EvalReport | null, error: ErrorInfo | null): EvalRecord {
    this.db
      .prepare('UPDATE eval_reports SET status = ?, ended_at = ?, report = ?, error = ?, owner_pid = NULL WHERE id = ?')
      .run(status, new Date().toISOString(), report ? JSON.stringify(report) : null, error ? JSON.stringify(error) : null, id);
    return this.get(id)!;
  }

  /** Replaces the report of an ended evaluation (the Ollama leg adds to it). */
  updateReport(id: string, report: EvalReport): EvalRecord {
    this.db.prepare('UPDATE eval_reports SET report = ? WHERE id = ?').run(JSON.stringify(report), id);
    return this.get(id)!;
  }

  get(id: string, progress: EvalProgressInfo | null = null): EvalRecord | null {
    const row = this.db.prepare('SELECT * FROM eval_reports WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row, progress) : null;
  }

  /** The run's newest evaluation. */
  latest(runId: string): EvalRecord | null {
    const row = this.db.prepare('SELECT * FROM eval_reports WHERE run_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1').get(runId) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  /** The run's newest evaluation that has a report (completed, or stopped with some rows). */
  latestWithReport(runId: string): EvalRecord | null {
    const row = this.db
      .prepare("SELECT * FROM eval_reports WHERE run_id = ? AND report IS NOT NULL AND status IN ('completed', 'stopped') ORDER BY created_at DESC, rowid DESC LIMIT 1")
      .get(runId) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  list(runId: string): EvalRecord[] {
    return (this.db.prepare('SELECT * FROM eval_reports WHERE run_id = ? ORDER BY created_at, rowid').all(runId) as Row[]).map((r) => toRecord(r));
  }

  /** Evaluations a dead process left 'running' (the app was killed) end as failed, saying so. */
  recoverAbandoned(isAlive: (pid: number) => boolean): number {
    const rows = this.db.prepare("SELECT * FROM eval_reports WHERE status = 'running'").all() as Row[];
    let n = 0;
    for (const r of rows) {
      if (r.owner_pid !== null && isAlive(r.owner_pid)) continue;
      this.finish(r.id, 'failed', null, { code: 'INTERNAL', message: 'Hone closed while this evaluation was running.', hint: 'Run the evaluation again.' });
      n++;
    }
    return n;
  }
}
