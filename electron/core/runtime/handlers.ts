import { HoneError } from '../../shared/errors';
import type { RequestHandlers } from '../../shared/contract';
import type { CoreContext } from '../context';

// STUB: replaced by the runtime provisioning work (issue 3).
export function createRuntimeHandlers(_ctx: CoreContext): Pick<RequestHandlers, 'runtime.status' | 'runtime.install'> {
  const todo = async (): Promise<never> => {
    throw new HoneError('INTERNAL', 'not implemented yet');
  };
  return { 'runtime.status': todo, 'runtime.install': todo };
}
