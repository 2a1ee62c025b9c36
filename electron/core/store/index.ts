/**
 * The run store of a core: one SQLite database per data folder, opened on first use and closed with
 * the core. See run-store.ts for what other domains may call.
 */
import { perContext, type CoreContext } from '../context';
import { openDatabase } from './db';
import { RunStore } from './run-store';
import { latestCheckpoint } from './checkpoints';

export { RunStore } from './run-store';
export type { NewRun, RunError, RunPatch } from './run-store';
export { latestCheckpoint, type Checkpoint } from './checkpoints';
export { EvalReports, type NewEval } from './eval-reports';

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const getRunStore = perContext((ctx: CoreContext): RunStore => {
  const store = new RunStore(openDatabase(ctx.paths.dataDir), {
    onError: (err) => process.stderr.write(`hone: could not write run data: ${String(err)}\n`),
  });
  // A checkpoint finished just before the crash may be on disk but not yet in the database.
  for (const run of store.recoverAbandoned(pidAlive)) latestCheckpoint(store, run.id, run.outputDir);
  store.evals.recoverAbandoned(pidAlive);
  ctx.onClose(() => store.close());
  return store;
});
