import { HoneError } from '../../shared/errors';
import type { RequestHandlers } from '../../shared/contract';
import type { CoreContext } from '../context';

type RunChannels = 'runs.start' | 'runs.stop' | 'runs.resume' | 'runs.list' | 'runs.get' | 'runs.metrics' | 'runs.events' | 'runs.logs' | 'runs.delete';

// STUB: replaced by the runs work (issue 5).
export function createRunHandlers(_ctx: CoreContext): Pick<RequestHandlers, RunChannels> {
  const todo = async (): Promise<never> => {
    throw new HoneError('INTERNAL', 'not implemented yet');
  };
  return {
    'runs.start': todo, 'runs.stop': todo, 'runs.resume': todo, 'runs.list': todo, 'runs.get': todo,
    'runs.metrics': todo, 'runs.events': todo, 'runs.logs': todo, 'runs.delete': todo,
  };
}
