/** The messages the Hardware step and `hone hardware` show: what was found, what it means, what to do. */
import type { Gpu, Hardware, HardwareNotice } from '../../shared/types/hardware';
import { driverTooOld, minDriverFor, UNSLOTH_MIN_CC } from './driver';

const gb = (mb: number) => `${(mb / 1024).toFixed(1)} GB`;

const CPU_ONLY_WHAT_WORKS =
  'You can still run the built-in demo (SmolLM2-135M learns a new answer style on the CPU in a few minutes), fine-tune other small models (the plan says how long), prepare and check datasets, plan for a card you do not have, and send models to Ollama and chat with them. Fine-tuning large models needs an NVIDIA GPU.';

const VENDOR_WORDS: Record<string, string> = {
  amd: 'AMD GPUs (ROCm) are not supported by Hone\'s training path yet',
  intel: 'Intel GPUs (XPU) are not supported by Hone\'s training path yet',
  apple: 'Apple GPUs (Metal / MLX) are not supported by Hone\'s training path yet',
  other: 'this GPU is not supported by Hone\'s training path',
};

function unsupportedNotices(gpus: Gpu[]): HardwareNotice[] {
  return gpus
    .filter((g) => g.vendor !== 'nvidia')
    .map((g) => ({ level: 'warning', code: 'UNSUPPORTED_GPU', message: `${g.name}: ${VENDOR_WORDS[g.vendor]}; Hone trains with CUDA on NVIDIA GPUs.` }));
}

function generationNotices(gpus: Gpu[]): HardwareNotice[] {
  const out: HardwareNotice[] = [];
  for (const g of gpus.filter((x) => x.vendor === 'nvidia' && x.computeCapability)) {
    const cc = Number(g.computeCapability);
    if (cc < 6) out.push({ level: 'error', code: 'UNSUPPORTED_GPU', message: `${g.name} (compute capability ${g.computeCapability}) is too old for current PyTorch builds; Hone cannot train on it.` });
    else if (cc < UNSLOTH_MIN_CC) out.push({ level: 'warning', code: 'UNSUPPORTED_GPU', message: `${g.name} (compute capability ${g.computeCapability}) is older than Unsloth's minimum (7.0: V100, T4, RTX 20xx or newer): training may be slow or fail.` });
  }
  return out;
}

function driverNotices(hw: Hardware, smiError: string | null): HardwareNotice[] {
  const nvidia = hw.gpus.filter((g) => g.vendor === 'nvidia');
  const min = minDriverFor(hw.os.platform);
  if (!nvidia.length && smiError && smiError !== 'ENOENT') {
    return [{ level: 'error', code: 'DRIVER_TOO_OLD', message: `nvidia-smi is installed but failed (${smiError.split('\n')[0].slice(0, 160)}). If this machine has an NVIDIA GPU, install or repair its driver (${min} or newer) and restart Hone.` }];
  }
  if (nvidia.length && nvidia.every((g) => g.driverVersion === null)) {
    const why = smiError && smiError !== 'ENOENT' ? ` (nvidia-smi said: ${smiError.split('\n')[0].slice(0, 160)})` : ' (nvidia-smi is missing)';
    return [{ level: 'error', code: 'DRIVER_TOO_OLD', message: `An NVIDIA GPU is installed but its driver does not answer${why}. Install or repair the NVIDIA driver (${min} or newer) and restart Hone.` }];
  }
  const old = nvidia.find((g) => driverTooOld(g.driverVersion, hw.os.platform));
  if (!old) return [];
  const cuda = old.cudaDriverVersion ? ` (it runs CUDA ${old.cudaDriverVersion} at most)` : '';
  return [{ level: 'error', code: 'DRIVER_TOO_OLD', message: `NVIDIA driver ${old.driverVersion} is too old for current PyTorch builds, which need CUDA 12${cuda}. Update the driver to ${min} or newer; until then training runs on the CPU.` }];
}

function vramInUse(g: Gpu): HardwareNotice | null {
  if (g.vramFreeMb === null) return null;
  const used = g.vramTotalMb - g.vramFreeMb;
  if (used < Math.max(512, 0.05 * g.vramTotalMb)) return null;
  const who = g.processes.length
    ? `by ${g.processes.map((p) => (p.usedMb ? `${p.name} (pid ${p.pid}, ${p.usedMb} MB)` : `${p.name} (pid ${p.pid})`)).join(', ')}`
    : 'by other programs (nvidia-smi does not name them here)';
  return { level: 'warning', code: 'VRAM_IN_USE', message: `${gb(used)} of ${g.name}'s ${gb(g.vramTotalMb)} is in use ${who}. Hone plans with the ${gb(g.vramFreeMb)} left; close them to train larger models.` };
}

/** `userChose`: the selected GPU is the user's pick, not the default (the most free VRAM). */
export function buildNotices(hw: Hardware, smiError: string | null, userChose = false): HardwareNotice[] {
  const notices: HardwareNotice[] = [];
  const nvidia = hw.gpus.filter((g) => g.vendor === 'nvidia');
  const selected = hw.gpus.find((g) => g.index === hw.selectedGpu) ?? null;
  if (!selected) {
    const lead = nvidia.length ? 'No NVIDIA GPU Hone can train on.' : 'No NVIDIA GPU found.';
    notices.push({ level: 'warning', code: 'CPU_ONLY', message: `${lead} ${CPU_ONLY_WHAT_WORKS}` });
  }
  notices.push(...unsupportedNotices(hw.gpus), ...driverNotices(hw, smiError), ...generationNotices(hw.gpus));
  const several = (hw.selectedGpus?.length ?? 0) > 1 ? hw.selectedGpus!.map((i) => hw.gpus.find((g) => g.index === i)).filter((g): g is Gpu => !!g) : null;
  if (several) {
    const free = (g: Gpu) => g.vramFreeMb ?? g.vramTotalMb;
    const smallest = several.reduce((a, b) => (free(b) < free(a) ? b : a));
    const same = new Set(several.map((g) => g.name)).size === 1;
    const budget = same ? '' : ` The cards differ: each process gets the smallest card's budget (GPU ${smallest.index}, ${gb(free(smallest))} free).`;
    notices.push({ level: 'info', code: 'MULTI_GPU', message: `Training on ${several.length} GPUs together (${several.map((g) => g.index).join(', ')}): one process per card; the plan decides whether each card holds the whole model (DDP) or a shard of it (FSDP).${budget}` });
  } else if (selected && nvidia.length > 1) {
    const free = (g: Gpu) => g.vramFreeMb ?? g.vramTotalMb;
    const roomiest = nvidia.reduce((a, b) => (free(b) > free(a) ? b : a));
    const message = userChose
      ? `${nvidia.length} NVIDIA GPUs: training on GPU ${selected.index}, ${selected.name} (${gb(free(selected))} free), as you chose.${roomiest.index !== selected.index ? ` GPU ${roomiest.index} has the most free VRAM (${gb(free(roomiest))}).` : ''}`
      : `${nvidia.length} NVIDIA GPUs: Hone picked GPU ${selected.index}, ${selected.name} (${gb(free(selected))} free, the most). Choose another below, or several to train on them together.`;
    notices.push({ level: 'info', code: 'MULTI_GPU', message });
  }
  const inUse = selected ? vramInUse(selected) : null;
  if (inUse) notices.push(inUse);
  if (hw.disk.freeMb !== null && hw.disk.freeMb < 20 * 1024) {
    notices.push({ level: hw.disk.freeMb < 5 * 1024 ? 'error' : 'warning', code: 'LOW_DISK', message: `Only ${gb(hw.disk.freeMb)} free in ${hw.disk.path}. A 7-8B model download plus checkpoints takes 20-30 GB; free some space or move Hone's data folder in Settings.` });
  }
  if (hw.ramTotalMb < 15 * 1024) {
    notices.push({ level: 'warning', code: 'LOW_RAM', message: `${gb(hw.ramTotalMb)} of RAM: loading models and Unsloth's activation offloading use system memory; 16 GB or more is recommended.` });
  }
  return notices;
}
