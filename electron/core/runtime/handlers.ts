import type { RequestHandlers } from '../../shared/contract';
import type { CoreContext } from '../context';
import { getRuntime } from './service';

/** runtime.status answers from the marker (milliseconds); runtime.install streams runtime.progress. */
export function createRuntimeHandlers(ctx: CoreContext): Pick<RequestHandlers, 'runtime.status' | 'runtime.install'> {
  return {
    'runtime.status': () => getRuntime(ctx).status(),
    'runtime.install': (params) => getRuntime(ctx).install({ force: params?.force }),
  };
}
