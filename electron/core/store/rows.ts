/** Row shapes of the runs tables and their mapping to the contract's types. */
import type { RunConfig, RunStatus, RunSummary } from '../../shared/types/runs';
import type { Plan } from '../../shared/types/plan';

export interface RunRow {
  id: string;
  name: string;
  status: RunStatus;
  model: string;
  dataset: string;
  objective: RunSummary['objective'];
  method: RunSummary['method'];
  config: string;
  plan: string;
  output_dir: string;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  step: number;
  max_steps: number | null;
  final_loss: number | null;
  error: string | null;
  owner_pid: number | null;
  /** JSON RunMemory (migration 2); null before the run started or in runs older than it. */
  memory: string | null;
  /** Computed in the query: whether a checkpoint exists. */
  has_checkpoint: number;
}

/** Ended without completing: may be resumed. */
export const RESUMABLE_STATUSES: readonly RunStatus[] = ['stopped', 'failed', 'interrupted'];
/** A process is (or was, before a crash) driving the run. */
export const ACTIVE_STATUSES: readonly RunStatus[] = ['queued', 'preparing', 'training', 'stopping'];

/**
 * Resumable: ended without completing, and either a checkpoint exists to continue from or no step
 * was trained yet (then "resume" starts it from the beginning and nothing is repeated).
 */
export function isResumable(status: RunStatus, hasCheckpoint: boolean, step: number): boolean {
  return RESUMABLE_STATUSES.includes(status) && (hasCheckpoint || step === 0);
}

export function toSummary(row: RunRow): RunSummary {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    model: row.model,
    objective: row.objective,
    method: row.method,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    step: row.step,
    maxSteps: row.max_steps,
    finalLoss: row.final_loss,
    outputDir: row.output_dir,
    error: row.error ? (JSON.parse(row.error) as RunSummary['error']) : null,
    resumable: isResumable(row.status, row.has_checkpoint === 1, row.step),
    memory: row.memory ? (JSON.parse(row.memory) as RunSummary['memory']) : null,
  };
}

export function parseConfig(row: RunRow): RunConfig {
  return JSON.parse(row.config) as RunConfig;
}

export function parsePlan(row: RunRow): Plan {
  return JSON.parse(row.plan) as Plan;
}

export const SELECT_RUN = `SELECT r.*, EXISTS (SELECT 1 FROM checkpoints c WHERE c.run_id = r.id) AS has_checkpoint FROM runs r`;
