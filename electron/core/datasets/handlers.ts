import { HoneError } from '../../shared/errors';
import type { RequestHandlers } from '../../shared/contract';
import type { CoreContext } from '../context';

// STUB: replaced by the datasets work (issue 4).
export function createDatasetHandlers(
  _ctx: CoreContext,
): Pick<RequestHandlers, 'datasets.samples' | 'datasets.inspect' | 'datasets.render' | 'datasets.import'> {
  const todo = async (): Promise<never> => {
    throw new HoneError('INTERNAL', 'not implemented yet');
  };
  return { 'datasets.samples': todo, 'datasets.inspect': todo, 'datasets.render': todo, 'datasets.import': todo };
}
