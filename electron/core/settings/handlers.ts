import type { RequestHandlers } from '../../shared/contract';
import type { CoreContext } from '../context';
import { checkHubSettings } from '../models/http';

export function createSettingsHandlers(ctx: CoreContext): Pick<RequestHandlers, 'settings.get' | 'settings.set'> {
  return {
    'settings.get': async () => ctx.settings.get(),
    'settings.set': async (patch) => ctx.settings.set(checkHubSettings(patch, ctx.env)),
  };
}
