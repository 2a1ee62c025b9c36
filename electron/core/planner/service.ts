/**
 * The planner with this core's hardware and catalogue: what `plan.compute`, `hone plan` and anything that
 * starts a run (the run manager, `hone train`) ask, so they all get the same plan for the same inputs.
 */
import type { DatasetTokenStats, Plan } from '../../shared/types/plan';
import type { CoreContext } from '../context';
import { getCatalog, resolveModel } from '../catalog/catalog';
import { getHardwareService } from '../hardware/service';
import { cachedCpuSpeed } from './calibration';
import { validateOverrides } from './overrides';
import { computePlan } from './plan';

/** `model`: a catalogue id, "local:<path>" or a folder path; `overrides` are checked and refused with the field named. */
export async function planForModel(ctx: CoreContext, model: string, overrides?: unknown, datasetStats?: DatasetTokenStats | null): Promise<Plan> {
  const catalogue = getCatalog(ctx);
  const spec = resolveModel(catalogue, model);
  const hardware = await getHardwareService(ctx).get();
  return computePlan({ hardware, model: spec, datasetStats: datasetStats ?? null, overrides: validateOverrides(overrides), catalogue, cpuSpeed: cachedCpuSpeed(ctx) });
}
