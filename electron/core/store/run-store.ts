/**
 * The run history in SQLite (<dataDir>/hone.db). Obtain it with `getRunStore(ctx)` (store/index.ts).
 *
 * For other domains (e.g. the Ollama export):
 *   store.getRun(id)                 -> RunSummary | null   (id, status, outputDir, model, ...)
 *   store.getRunDetail(id)           -> RunDetail | null    (+ config, checkpoints, artifacts, exports)
 *   store.addExport(runId, record)   -> records an OllamaExportRecord {name, quantize, digest, createdAt}
 *   store.listExports(runId)         -> OllamaExportRecord[], oldest first
 *   store.artifacts(runId)           -> [{kind, path, createdAt}] (adapter, merged, summary, gguf)
 *   store.evals                      -> evaluation reports (eval-reports.ts), written by electron/core/eval
 * Runs are written only by the run manager (electron/core/runs); everything else reads.
 */
import type Database from 'better-sqlite3';
import type { ErrorInfo } from '../../shared/errors';
import type { OllamaExportRecord, RunConfig, RunDetail, RunStatus, RunSummary } from '../../shared/types/runs';
import type { Plan } from '../../shared/types/plan';
import type { RunMemory } from '../../shared/types/memory';
import { BatchWriter, type WriterOptions } from './batch-writer';
import { ACTIVE_STATUSES, SELECT_RUN, parseConfig, toSummary, type RunRow } from './rows';
import { SeriesStore } from './series';
import { EvalReports } from './eval-reports';

export type RunError = ErrorInfo & { exitCode?: number | null; logTail?: string[] };

export interface NewRun {
  id: string;
  name: string;
  config: RunConfig;
  plan: Plan;
  outputDir: string;
  status: RunStatus;
  ownerPid: number;
}

export interface RunPatch {
  status?: RunStatus;
  startedAt?: string | null;
  endedAt?: string | null;
  step?: number;
  maxSteps?: number | null;
  finalLoss?: number | null;
  error?: RunError | null;
  ownerPid?: number | null;
  memory?: RunMemory | null;
  /** The settings the run trains with, when the memory check changed the plan's batch or sequence. */
  config?: RunConfig;
}

const JSON_COLUMNS = new Set<keyof RunPatch>(['error', 'memory', 'config']);

const COLUMNS: Record<keyof RunPatch, string> = {
  status: 'status', startedAt: 'started_at', endedAt: 'ended_at', step: 'step', maxSteps: 'max_steps',
  finalLoss: 'final_loss', error: 'error', ownerPid: 'owner_pid', memory: 'memory', config: 'config',
};

export class RunStore {
  readonly series: SeriesStore;
  /** Base-vs-tuned evaluation reports (written by electron/core/eval). */
  readonly evals: EvalReports;
  private readonly writer: BatchWriter;

  constructor(readonly db: Database.Database, writerOpts: WriterOptions = {}) {
    this.writer = new BatchWriter(db, writerOpts);
    this.series = new SeriesStore(db, this.writer);
    this.evals = new EvalReports(db);
  }

  createRun(r: NewRun): RunSummary {
    this.db
      .prepare(
        `INSERT INTO runs (id, name, status, model, dataset, objective, method, config, plan, output_dir, created_at, max_steps, owner_pid)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.id, r.name, r.status, r.config.model, r.config.dataset, r.config.objective, r.plan.method, JSON.stringify(r.config),
        JSON.stringify(r.plan), r.outputDir, new Date().toISOString(), r.config.maxSteps ?? null, r.ownerPid);
    return this.getRun(r.id)!;
  }

  updateRun(id: string, patch: RunPatch): void {
    // The batched step/loss of this run must land before a status row that follows it.
    this.writer.flush();
    const keys = (Object.keys(patch) as (keyof RunPatch)[]).filter((k) => patch[k] !== undefined);
    if (!keys.length) return;
    const values = keys.map((k) => (JSON_COLUMNS.has(k) ? (patch[k] ? JSON.stringify(patch[k]) : null) : patch[k]));
    this.db.prepare(`UPDATE runs SET ${keys.map((k) => `${COLUMNS[k]} = ?`).join(', ')} WHERE id = ?`).run(...values, id);
  }

  /** Latest step and loss of a training run: batched with its metrics rather than an UPDATE per event. */
  stepReached(id: string, step: number, maxSteps: number | null, loss: number | null): void {
    this.writer.stepReached(id, step, maxSteps, loss);
  }

  getRun(id: string): RunSummary | null {
    const row = this.row(id);
    return row ? toSummary(row) : null;
  }

  row(id: string): RunRow | null {
    this.writer.flush();
    return (this.db.prepare(`${SELECT_RUN} WHERE r.id = ?`).get(id) as RunRow | undefined) ?? null;
  }

  config(id: string): RunConfig | null {
    const row = this.row(id);
    return row ? parseConfig(row) : null;
  }

  listRuns(): RunSummary[] {
    this.writer.flush();
    return (this.db.prepare(`${SELECT_RUN} ORDER BY r.created_at DESC, r.id DESC`).all() as RunRow[]).map(toSummary);
  }

  getRunDetail(id: string): RunDetail | null {
    const row = this.row(id);
    if (!row) return null;
    return {
      ...toSummary(row),
      config: parseConfig(row),
      checkpoints: this.checkpoints(id),
      artifacts: this.artifacts(id),
      exports: this.listExports(id),
    };
  }

  deleteRun(id: string): void {
    this.series.forget(id);
    this.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
  }

  addCheckpoint(runId: string, step: number, path: string): void {
    this.db.prepare('INSERT OR REPLACE INTO checkpoints (run_id, step, path, created_at) VALUES (?, ?, ?, ?)').run(runId, step, path, new Date().toISOString());
  }

  checkpoints(runId: string): RunDetail['checkpoints'] {
    return this.db.prepare('SELECT step, path, created_at AS createdAt FROM checkpoints WHERE run_id = ? ORDER BY step').all(runId) as RunDetail['checkpoints'];
  }

  latestCheckpoint(runId: string): { step: number; path: string } | null {
    return (this.db.prepare('SELECT step, path FROM checkpoints WHERE run_id = ? ORDER BY step DESC LIMIT 1').get(runId) as { step: number; path: string } | undefined) ?? null;
  }

  /** A checkpoint the trainer rotated away (save_total_limit) is no longer a place to resume from. */
  removeCheckpoint(runId: string, step: number): void {
    this.db.prepare('DELETE FROM checkpoints WHERE run_id = ? AND step = ?').run(runId, step);
  }

  addArtifact(runId: string, kind: string, path: string): void {
    this.db.prepare('INSERT INTO artifacts (run_id, kind, path, created_at) VALUES (?, ?, ?, ?)').run(runId, kind, path, new Date().toISOString());
  }

  artifacts(runId: string): RunDetail['artifacts'] {
    return this.db.prepare('SELECT kind, path, created_at AS createdAt FROM artifacts WHERE run_id = ? ORDER BY id').all(runId) as RunDetail['artifacts'];
  }

  addExport(runId: string, rec: OllamaExportRecord): void {
    this.db.prepare('INSERT INTO exports (run_id, name, quantize, digest, created_at) VALUES (?, ?, ?, ?, ?)').run(runId, rec.name, rec.quantize, rec.digest, rec.createdAt);
  }

  listExports(runId: string): OllamaExportRecord[] {
    return this.db.prepare('SELECT name, quantize, digest, created_at AS createdAt FROM exports WHERE run_id = ? ORDER BY id').all(runId) as OllamaExportRecord[];
  }

  /**
   * Runs a dead process left active (killed app, power cut) become `interrupted`; runs whose owner
   * is still alive (the app open while the CLI reads the same folder) are left alone.
   */
  recoverAbandoned(isAlive: (pid: number) => boolean): RunSummary[] {
    const rows = this.db
      .prepare(`${SELECT_RUN} WHERE r.status IN (${ACTIVE_STATUSES.map(() => '?').join(',')})`)
      .all(...ACTIVE_STATUSES) as RunRow[];
    const recovered: RunSummary[] = [];
    for (const row of rows) {
      if (row.owner_pid !== null && isAlive(row.owner_pid)) continue;
      this.updateRun(row.id, {
        status: 'interrupted',
        endedAt: new Date().toISOString(),
        ownerPid: null,
        error: { code: 'INTERNAL', message: `Hone closed while this run was ${row.status}.`, hint: 'Resume it to continue from its last checkpoint.' },
      });
      this.series.append(row.id, { kind: 'status', status: 'interrupted' }, { afterCrash: true });
      recovered.push(this.getRun(row.id)!);
    }
    return recovered;
  }

  integrityCheck(): string {
    return this.db.pragma('integrity_check', { simple: true }) as string;
  }

  flush(): void {
    this.writer.flush();
  }

  close(): void {
    this.writer.close();
    this.db.close();
  }
}
