/**
 * The run store of a core: one SQLite database per data folder, opened on first use and closed with
 * the core. See run-store.ts for what other domains may call.
 */
import { perContext, type CoreContext } from '../context';
import { openDatabase } from './db';
import { RunStore } from './run-store';

export { RunStore } from './run-store';
export type { NewRun, RunError, RunPatch } from './run-store';

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
  store.recoverAbandoned(pidAlive);
  ctx.onClose(() => store.close());
  return store;
});
