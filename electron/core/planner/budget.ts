/** What the plan is made against: the chosen GPU's free VRAM, a card the user names, or the CPU. */
import type { Gpu, Hardware } from '../../shared/types/hardware';
import type { PlanOverrides } from '../../shared/types/plan';

export interface Budget {
  device: 'cuda' | 'cpu';
  gb: number;
  gpu: Gpu | null;
  reasons: string[];
}

export const fmtGb = (gb: number) => `${gb >= 100 ? gb.toFixed(0) : gb.toFixed(1)} GB`;

export function budgetFor(hardware: Hardware | null, overrides: PlanOverrides): Budget {
  if (overrides.vramGb !== undefined && overrides.vramGb > 0) {
    return { device: 'cuda', gb: overrides.vramGb, gpu: null, reasons: [`Planned for a ${fmtGb(overrides.vramGb)} NVIDIA card, as asked, not for this machine's hardware.`] };
  }
  const gpu = hardware && hardware.selectedGpu !== null ? (hardware.gpus.find((g) => g.index === hardware.selectedGpu) ?? null) : null;
  if (!gpu) {
    const ramGb = (hardware?.ramFreeMb ?? 0) / 1024;
    return {
      device: 'cpu',
      gb: ramGb,
      gpu: null,
      reasons: [`No NVIDIA GPU: training runs on the CPU with plain transformers + PEFT in fp32, against ${fmtGb(ramGb)} of free RAM. Small models (the SmolLM2 demo, Qwen2.5 0.5B) train here in minutes to hours: the time estimate says how long. Larger ones need an NVIDIA GPU (or plan for one with a card size).`],
    };
  }
  const totalGb = gpu.vramTotalMb / 1024;
  const freeGb = (gpu.vramFreeMb ?? gpu.vramTotalMb) / 1024;
  const held = gpu.processes.length ? ` (${gpu.processes.map((p) => `${p.name} ${p.usedMb} MB`).join(', ')})` : '';
  const used = totalGb - freeGb > 0.25 ? `: other programs hold ${fmtGb(totalGb - freeGb)}${held}` : '';
  return { device: 'cuda', gb: freeGb, gpu, reasons: [`Budget: ${fmtGb(freeGb)} free of ${fmtGb(totalGb)} on ${gpu.name}${used}.`] };
}
