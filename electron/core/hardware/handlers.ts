/** Requests of the hardware, catalogue and planner domains. */
import type { RequestHandlers } from '../../shared/contract';
import { HoneError } from '../../shared/errors';
import type { CoreContext } from '../context';
import { getCatalog, resolveModel } from '../catalog/catalog';
import { calibrateCpu } from '../planner/calibration';
import { planForModel } from '../planner/service';
import { getHardwareService } from './service';

export function createHardwareHandlers(
  ctx: CoreContext,
): Pick<RequestHandlers, 'hardware.get' | 'hardware.selectGpu' | 'hardware.selectGpus' | 'catalog.list' | 'catalog.inspectFolder' | 'plan.compute' | 'plan.calibrate'> {
  const hardware = () => getHardwareService(ctx);
  return {
    'hardware.get': async (params) => hardware().get(params?.refresh === true),
    'hardware.selectGpu': async (params) => hardware().selectGpu(Number(params?.index)),
    'hardware.selectGpus': async (params) => hardware().selectGpus(params.indices),
    'catalog.list': async () => getCatalog(ctx),
    'catalog.inspectFolder': async (params) => {
      if (typeof params?.path !== 'string' || !params.path.trim()) {
        throw new HoneError('BAD_REQUEST', 'No folder was given.', 'Type or paste the path of a model folder (the one with config.json).');
      }
      // Through resolveModel for its "~" and "local:" handling; an empty catalogue makes it a folder lookup.
      return resolveModel([], params.path.trim().startsWith('local:') ? params.path.trim() : `local:${params.path.trim()}`);
    },
    'plan.compute': async (params) => {
      if (typeof params?.model !== 'string') throw new HoneError('BAD_REQUEST', 'plan.compute needs a model id or folder.');
      const stats = params.datasetStats;
      return planForModel(ctx, params.model, params.overrides, stats ? { rows: stats.rows, meanTokens: stats.meanTokens, p95Tokens: stats.p95Tokens, maxTokens: stats.maxTokens } : null);
    },
    'plan.calibrate': async (params) => calibrateCpu(ctx, { force: params?.force === true }),
  };
}
