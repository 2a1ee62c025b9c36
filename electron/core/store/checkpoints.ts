/**
 * Where a resume starts. The trainer rotates old checkpoints away (save_total_limit) and a crash can
 * leave a half-written one, so the database's list is checked against the folder: a checkpoint counts
 * only when it exists and its trainer_state.json (written last) does.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunStore } from './run-store';

export interface Checkpoint {
  step: number;
  path: string;
}

function complete(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'trainer_state.json'));
}

/** checkpoint-N folders on disk (the sidecar writes them under <outputDir>/checkpoints). */
export function checkpointsOnDisk(outputDir: string): Checkpoint[] {
  const root = path.join(outputDir, 'checkpoints');
  let names: string[] = [];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  return names
    .map((n) => ({ m: /^checkpoint-(\d+)$/.exec(n), n }))
    .filter((x) => x.m && complete(path.join(root, x.n)))
    .map((x) => ({ step: Number(x.m![1]), path: path.join(root, x.n) }));
}

/**
 * The newest usable checkpoint of a run, at or before `atMost` when given; drops database entries whose
 * folder is gone.
 */
export function latestCheckpoint(store: RunStore, runId: string, outputDir: string, atMost = Infinity): Checkpoint | null {
  for (const c of store.checkpoints(runId)) {
    if (!complete(c.path)) store.removeCheckpoint(runId, c.step);
  }
  const known = store.checkpoints(runId).map((c) => ({ step: c.step, path: c.path }));
  // One the trainer finished writing just before a crash may not have reached the database.
  for (const c of checkpointsOnDisk(outputDir)) {
    if (!known.some((k) => k.step === c.step)) {
      store.addCheckpoint(runId, c.step, c.path);
      known.push(c);
    }
  }
  return known.filter((c) => c.step <= atMost).sort((a, b) => b.step - a.step)[0] ?? null;
}

/**
 * The trainer's own per-step log (trainer_state.json's log_history) of a checkpoint: loss, grad norm,
 * learning rate and the rest, by step. Empty when the file is missing or unreadable.
 */
export function checkpointLogHistory(checkpoint: Checkpoint): { step: number; values: Record<string, number> }[] {
  let history: unknown;
  try {
    history = (JSON.parse(fs.readFileSync(path.join(checkpoint.path, 'trainer_state.json'), 'utf8')) as { log_history?: unknown }).log_history;
  } catch {
    return [];
  }
  if (!Array.isArray(history)) return [];
  const out: { step: number; values: Record<string, number> }[] = [];
  for (const entry of history as Record<string, unknown>[]) {
    const step = entry?.step;
    if (typeof step !== 'number' || !Number.isInteger(step) || step > checkpoint.step) continue;
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(entry)) if (k !== 'step' && typeof v === 'number' && Number.isFinite(v)) values[k] = v;
    out.push({ step, values });
  }
  return out;
}

/**
 * After a crash the database can lag the checkpoints on disk by the batch that was never written (a fast
 * model logs several steps in that window). The trainer wrote those steps into the newest checkpoint's
 * log_history: put them back, so the resume can start from that checkpoint with no hole in the series.
 * Returns the newest metric step stored afterwards.
 */
export function backfillMetricsFromCheckpoint(store: RunStore, runId: string, checkpoint: Checkpoint | null): number {
  const stored = store.series.lastMetricStep(runId);
  if (!checkpoint || checkpoint.step <= stored) return stored;
  for (const { step, values } of checkpointLogHistory(checkpoint)) {
    if (step <= stored) continue;
    for (const [name, value] of Object.entries(values)) store.series.metric(runId, name, step, value);
  }
  return store.series.lastMetricStep(runId);
}
