/**
 * systeminformation's results + nvidia-smi's text -> Hardware. Pure, so every machine we know of is a test
 * fixture (hardware/fixtures) rather than something we need to own.
 */
import path from 'node:path';
import type { Gpu, GpuProcess, GpuVendor, Hardware } from '../../shared/types/hardware';
import { driverTooOld, PYTORCH_MIN_CC } from './driver';
import { buildNotices } from './notices';
import { parseComputeApps, parseCudaVersion, parseGpuQuery, parseProcessTable } from './nvidia-smi';

/** The parts of systeminformation's answers we read. */
export interface RawHardware {
  graphics: { controllers: { vendor: string; model: string; vram: number | null; name?: string; driverVersion?: string }[] };
  cpu: { manufacturer: string; brand: string; cores: number; physicalCores: number };
  mem: { total: number; available: number };
  os: { platform: string; distro: string; release: string; arch: string };
  fsSize: { mount: string; size: number; available: number }[];
  dataDir: string;
  nvidiaSmi: {
    /** --query-gpu output, or null when it failed (see error). */
    gpus: string | null;
    apps: string | null;
    /** The banner of plain `nvidia-smi`, for the CUDA version. */
    banner: string | null;
    /** 'ENOENT' when nvidia-smi is not installed, its own message when it failed. */
    error: string | null;
  };
}

export function vendorOf(vendor: string, model: string): GpuVendor {
  const s = `${vendor} ${model}`.toLowerCase();
  if (s.includes('nvidia')) return 'nvidia';
  if (/\bamd\b|advanced micro devices|\bati\b|radeon/.test(s)) return 'amd';
  if (s.includes('intel')) return 'intel';
  if (s.includes('apple')) return 'apple';
  return 'other';
}

const MB = 1024 * 1024;

function nvidiaGpus(raw: RawHardware): Gpu[] {
  const smi = raw.nvidiaSmi;
  if (!smi.gpus) return [];
  const cuda = smi.banner ? parseCudaVersion(smi.banner) : null;
  const apps = smi.apps ? parseComputeApps(smi.apps) : [];
  const table = smi.banner ? parseProcessTable(smi.banner) : [];
  const processesOf = (index: number, uuid: string): GpuProcess[] => {
    const byPid = new Map<number, GpuProcess>();
    for (const p of [...table.filter((t) => t.gpuIndex === index), ...apps.filter((a) => a.gpuUuid === uuid)]) {
      const seen = byPid.get(p.pid);
      if (!seen || (!seen.usedMb && p.usedMb)) byPid.set(p.pid, { pid: p.pid, name: p.name, usedMb: p.usedMb });
    }
    return [...byPid.values()].sort((a, b) => b.usedMb - a.usedMb);
  };
  return parseGpuQuery(smi.gpus).map((g) => ({
    index: g.index,
    vendor: 'nvidia',
    name: g.name,
    vramTotalMb: g.totalMb,
    vramFreeMb: g.freeMb,
    driverVersion: g.driverVersion,
    computeCapability: g.computeCapability,
    cudaDriverVersion: cuda,
    processes: processesOf(g.index, g.uuid),
  }));
}

/** GPUs only systeminformation sees: other vendors, and NVIDIA cards whose driver does not answer. */
function otherGpus(raw: RawHardware, haveNvidia: boolean, firstIndex: number): Gpu[] {
  return raw.graphics.controllers
    .map((c) => ({ c, vendor: vendorOf(c.vendor, c.model) }))
    .filter(({ vendor }) => !(haveNvidia && vendor === 'nvidia'))
    .map(({ c, vendor }, i) => ({
      index: firstIndex + i,
      vendor,
      name: c.name || c.model || c.vendor,
      vramTotalMb: c.vram ?? 0,
      vramFreeMb: null,
      driverVersion: c.driverVersion || null,
      computeCapability: null,
      cudaDriverVersion: null,
      processes: [],
    }));
}

/** An NVIDIA GPU Hone can train on: the driver answered and PyTorch has kernels for it. */
export function isTrainable(g: Gpu): boolean {
  const cc = g.computeCapability ? Number(g.computeCapability) : null;
  return g.vendor === 'nvidia' && g.driverVersion !== null && (cc === null || cc >= PYTORCH_MIN_CC);
}

/** The default: the trainable GPU with the most free VRAM (lowest index on a tie). */
export function pickGpu(gpus: Gpu[], preferred: number | null = null): number | null {
  const ok = gpus.filter(isTrainable);
  if (preferred !== null && ok.some((g) => g.index === preferred)) return preferred;
  if (!ok.length) return null;
  return ok.reduce((best, g) => ((g.vramFreeMb ?? g.vramTotalMb) > (best.vramFreeMb ?? best.vramTotalMb) ? g : best)).index;
}

function diskFor(raw: RawHardware): Hardware['disk'] {
  const norm = (p: string) => (raw.os.platform === 'win32' ? p.toLowerCase().replace(/\//g, '\\') : p);
  const dir = norm(raw.dataDir);
  const sep = raw.os.platform === 'win32' ? '\\' : '/';
  const under = (mount: string) => {
    const m = norm(mount);
    return dir === m || dir.startsWith(m.endsWith(sep) ? m : m + sep);
  };
  const hit = raw.fsSize.filter((f) => under(f.mount)).sort((a, b) => b.mount.length - a.mount.length)[0];
  return { path: path.normalize(raw.dataDir), freeMb: hit ? Math.floor(hit.available / MB) : null, totalMb: hit ? Math.floor(hit.size / MB) : null };
}

/** The user's several cards, when every one of them is still there and trainable (otherwise one card). */
function pickGpus(gpus: Gpu[], preferred: number[] | null): number[] | null {
  if (!preferred || preferred.length < 2) return null;
  const ok = new Set(gpus.filter(isTrainable).map((g) => g.index));
  return preferred.every((i) => ok.has(i)) ? [...preferred] : null;
}

export function normaliseHardware(raw: RawHardware, preferredGpu: number | null = null, preferredGpus: number[] | null = null): Hardware {
  const nvidia = nvidiaGpus(raw);
  const firstOther = nvidia.length ? Math.max(...nvidia.map((g) => g.index)) + 1 : 0;
  const gpus = [...nvidia, ...otherGpus(raw, nvidia.length > 0, firstOther)];
  const several = pickGpus(gpus, preferredGpus);
  const selectedGpu = several ? several[0] : pickGpu(gpus, preferredGpu);
  const selected = gpus.find((g) => g.index === selectedGpu) ?? null;
  const hardware: Hardware = {
    gpus,
    selectedGpu,
    ...(several ? { selectedGpus: several } : {}),
    cpu: { brand: [raw.cpu.manufacturer, raw.cpu.brand].filter(Boolean).join(' ').trim() || 'Unknown CPU', cores: raw.cpu.cores, physicalCores: raw.cpu.physicalCores },
    ramTotalMb: Math.floor(raw.mem.total / MB),
    ramFreeMb: Math.floor(raw.mem.available / MB),
    os: { platform: raw.os.platform, distro: raw.os.distro, release: raw.os.release, arch: raw.os.arch },
    disk: diskFor(raw),
    notices: [],
    backend: selected && !driverTooOld(selected.driverVersion, raw.os.platform) ? 'cuda' : 'cpu',
  };
  hardware.notices = buildNotices(hardware, raw.nvidiaSmi.error, several !== null || (preferredGpu !== null && selectedGpu === preferredGpu && selectedGpu !== pickGpu(gpus)));
  return hardware;
}
