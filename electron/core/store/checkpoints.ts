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
