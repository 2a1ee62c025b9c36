import { HoneError } from '../../shared/errors';
import type { RequestHandlers } from '../../shared/contract';
import type { CoreContext } from '../context';
import { getRunStore } from '../store';
import { getRunManager } from './service';
import { requireRunId } from './validate';

type RunChannels = 'runs.start' | 'runs.stop' | 'runs.resume' | 'runs.list' | 'runs.get' | 'runs.metrics' | 'runs.events' | 'runs.logs' | 'runs.delete';

function optionalInt(v: unknown, name: string, min: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new HoneError('BAD_REQUEST', `${name} must be a whole number of at least ${min}.`);
  return v;
}

/** The runs channels. The store and manager open lazily, so a CLI verb that never asks about runs never opens the database. */
export function createRunHandlers(ctx: CoreContext): Pick<RequestHandlers, RunChannels> {
  const manager = () => getRunManager(ctx);
  return {
    'runs.start': async (p) => manager().start((p as { config?: unknown } | undefined)?.config),
    'runs.stop': async (p) => manager().stop(requireRunId(p)),
    'runs.resume': async (p) => manager().resume(requireRunId(p)),
    'runs.list': async () => manager().list(),
    'runs.get': async (p) => {
      const id = requireRunId(p);
      const detail = getRunStore(ctx).getRunDetail(id);
      if (!detail) throw new HoneError('NOT_FOUND', `No run "${id}".`, 'List runs with `hone runs` or open the Runs page.');
      return manager().decorate(detail);
    },
    'runs.metrics': async (p) => {
      const id = manager().summary(requireRunId(p)).id;
      const names = p.names;
      if (names !== undefined && !(Array.isArray(names) && names.every((n) => typeof n === 'string'))) throw new HoneError('BAD_REQUEST', 'names must be a list of metric names.');
      return getRunStore(ctx).series.metrics(id, names);
    },
    'runs.events': async (p) => {
      const id = manager().summary(requireRunId(p)).id;
      const afterSeq = optionalInt(p.afterSeq, 'afterSeq', 0) ?? 0;
      const limit = optionalInt(p.limit, 'limit', 1);
      return getRunStore(ctx).series.events(id, afterSeq, Math.min(limit ?? 10_000, 50_000));
    },
    'runs.logs': async (p) => {
      const id = manager().summary(requireRunId(p)).id;
      return getRunStore(ctx).series.logs(id, optionalInt(p.limit, 'limit', 1) ?? 500);
    },
    'runs.delete': async (p) => {
      manager().delete(requireRunId(p));
      return { deleted: true as const };
    },
  };
}
