import { HoneError } from '../../shared/errors';
import type { RequestHandlers } from '../../shared/contract';
import type { CoreContext } from '../context';

// STUB: replaced by the hardware/catalog/planner work (issue 2).
export function createHardwareHandlers(
  _ctx: CoreContext,
): Pick<RequestHandlers, 'hardware.get' | 'hardware.selectGpu' | 'catalog.list' | 'catalog.inspectFolder' | 'plan.compute'> {
  const todo = async (): Promise<never> => {
    throw new HoneError('INTERNAL', 'not implemented yet');
  };
  return { 'hardware.get': todo, 'hardware.selectGpu': todo, 'catalog.list': todo, 'catalog.inspectFolder': todo, 'plan.compute': todo };
}
