import { perContext, type CoreContext } from '../context';
import { getRunStore } from '../store';
import { RunManager, type ManagerOptions } from './manager';

const options = new WeakMap<CoreContext, ManagerOptions>();

/** Tests and benchmarks may tune the manager (e.g. a shorter stop timeout) before first use. */
export function configureRunManager(ctx: CoreContext, opts: ManagerOptions): void {
  options.set(ctx, opts);
}

/** The context's run manager, created on first use; on shutdown it stops the training run gracefully. */
export const getRunManager = perContext((ctx: CoreContext): RunManager => {
  const manager = new RunManager(ctx, getRunStore(ctx), options.get(ctx) ?? {});
  ctx.onClose(() => manager.close());
  return manager;
});
