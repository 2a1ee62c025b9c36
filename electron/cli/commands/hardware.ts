/** `hone hardware [--json]`: what Hone found on this machine and what it means for training. */
import type { Gpu, Hardware } from '../../shared/types/hardware';
import { noPositionals, parseArgs } from '../args';
import { EXIT, type CliIO } from '../io';

export const summary = 'Show the GPUs, CPU, RAM and disk Hone found, and what they mean for training';

const HELP = `Usage: hone hardware [--json]

Shows the NVIDIA GPUs (VRAM total and free, driver, CUDA, compute capability, processes holding VRAM),
other GPUs, CPU, RAM, free disk in Hone's data folder, and notices (CPU only, driver too old, ...).
  --json   the Hardware object, for scripts`;

const gb = (mb: number | null) => (mb === null ? '?' : `${(mb / 1024).toFixed(1)} GB`);

function gpuLines(g: Gpu, selected: boolean): string[] {
  const head = `GPU ${g.index}  ${g.name}${selected ? '  (selected for training)' : ''}${g.vendor !== 'nvidia' ? `  [${g.vendor}: not usable for training]` : ''}`;
  const facts = [
    g.vramFreeMb !== null ? `VRAM ${gb(g.vramFreeMb)} free of ${gb(g.vramTotalMb)}` : g.vramTotalMb ? `VRAM ${gb(g.vramTotalMb)}` : null,
    g.driverVersion && `driver ${g.driverVersion}`,
    g.cudaDriverVersion && `CUDA ${g.cudaDriverVersion}`,
    g.computeCapability && `compute ${g.computeCapability}`,
  ].filter(Boolean);
  const lines = [head];
  if (facts.length) lines.push(`       ${facts.join(' · ')}`);
  if (g.processes.length) lines.push(`       in use by ${g.processes.map((p) => (p.usedMb ? `${p.name} ${p.usedMb} MB` : p.name)).join(', ')}`);
  return lines;
}

export function formatHardware(hw: Hardware): string {
  const lines: string[] = [];
  if (!hw.gpus.length) lines.push('GPU    none found');
  for (const g of hw.gpus) lines.push(...gpuLines(g, g.index === hw.selectedGpu));
  lines.push(`CPU    ${hw.cpu.brand} (${hw.cpu.physicalCores} cores, ${hw.cpu.cores} threads)`);
  lines.push(`RAM    ${gb(hw.ramFreeMb)} free of ${gb(hw.ramTotalMb)}`);
  lines.push(`Disk   ${gb(hw.disk.freeMb)} free in ${hw.disk.path}`);
  lines.push(`OS     ${hw.os.distro} ${hw.os.release} (${hw.os.platform} ${hw.os.arch})`);
  lines.push('');
  lines.push(hw.backend === 'cuda' ? 'Training: on the GPU with Unsloth (CUDA).' : 'Training: CPU only (plain transformers): the SmolLM2 demo and other small models train here (hone plan says how long); large models need an NVIDIA GPU.');
  if (hw.notices.length) {
    lines.push('', 'Notices:');
    const mark = { info: 'i', warning: '!', error: 'x' } as const;
    for (const n of hw.notices) lines.push(`  ${mark[n.level]} ${n.message}`);
  }
  return lines.join('\n');
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { boolean: ['json', 'refresh'] });
  if (args.flags.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  noPositionals(args, 'hardware');
  const hw = await io.core().handlers['hardware.get']({ refresh: true });
  io.out(args.flags.json ? JSON.stringify(hw, null, 2) : formatHardware(hw));
  return EXIT.OK;
}
