/**
 * The hardware the core plans with: probed once and kept, probed again on request, with the user's GPU
 * choice on top. Every change is announced as 'hardware.changed'.
 */
import { HoneError } from '../../shared/errors';
import type { Hardware } from '../../shared/types/hardware';
import { perContext, type CoreContext } from '../context';
import { isTrainable, normaliseHardware, type RawHardware } from './normalise';
import { probeHardware } from './probe';

export class HardwareService {
  private raw: RawHardware | null = null;
  private current: Hardware | null = null;
  private inFlight: Promise<Hardware> | null = null;
  private preferredGpu: number | null = null;
  private preferredGpus: number[] | null = null;

  constructor(private readonly ctx: CoreContext) {}

  async get(refresh = false): Promise<Hardware> {
    if (this.current && !refresh) return this.current;
    // Concurrent callers share one probe: nvidia-smi and systeminformation take a moment.
    this.inFlight ??= this.probe().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  async selectGpu(index: number): Promise<Hardware> {
    const hw = await this.get();
    const gpu = hw.gpus.find((g) => g.index === index);
    if (!Number.isInteger(index) || !gpu) {
      throw new HoneError('BAD_REQUEST', `There is no GPU ${index}.`, `Pick one of: ${hw.gpus.map((g) => `${g.index} (${g.name})`).join(', ') || 'none found'}.`);
    }
    if (!isTrainable(gpu)) {
      throw new HoneError('UNSUPPORTED_GPU', `Hone cannot train on ${gpu.name}.`, gpu.vendor === 'nvidia' ? 'Update or repair its NVIDIA driver.' : 'Hone trains with CUDA on NVIDIA GPUs.');
    }
    this.preferredGpu = index;
    this.preferredGpus = null;
    return this.publish(normaliseHardware(this.raw!, index));
  }

  /** Several cards to train on together (issue #15), in the order given (the first leads); one is selectGpu. */
  async selectGpus(indices: number[]): Promise<Hardware> {
    const unique = [...new Set(indices)];
    if (unique.length === 1) return this.selectGpu(unique[0]);
    const hw = await this.get();
    for (const i of unique) {
      const gpu = hw.gpus.find((g) => g.index === i);
      if (!Number.isInteger(i) || !gpu) {
        throw new HoneError('BAD_REQUEST', `There is no GPU ${i}.`, `Pick from: ${hw.gpus.map((g) => `${g.index} (${g.name})`).join(', ') || 'none found'}.`);
      }
      if (!isTrainable(gpu)) throw new HoneError('UNSUPPORTED_GPU', `Hone cannot train on ${gpu.name} (GPU ${i}).`, 'Leave it out of the selection.');
    }
    this.preferredGpu = unique[0];
    this.preferredGpus = unique;
    return this.publish(normaliseHardware(this.raw!, unique[0], unique));
  }

  private async probe(): Promise<Hardware> {
    this.raw = await probeHardware(this.ctx.paths.dataDir, this.ctx.env);
    return this.publish(normaliseHardware(this.raw, this.preferredGpu, this.preferredGpus));
  }

  private publish(hw: Hardware): Hardware {
    const changed = this.current !== null && JSON.stringify(this.current) !== JSON.stringify(hw);
    this.current = hw;
    if (changed) this.ctx.bus.emit('hardware.changed', hw);
    return hw;
  }
}

export const getHardwareService = perContext((ctx: CoreContext) => new HardwareService(ctx));
