/**
 * nvidia-smi: where systeminformation leaves gaps (free VRAM, compute capability, CUDA driver version,
 * the processes holding VRAM). The parsers are pure and tested on recorded outputs; `runNvidiaSmi` finds the
 * binary on the PATH of the environment it is given, nothing else.
 */
import { execFile } from 'node:child_process';

export const GPU_QUERY = ['--query-gpu=index,uuid,name,memory.total,memory.free,driver_version,compute_cap', '--format=csv,noheader,nounits'];
/** Drivers before ~510 do not know compute_cap; asked again without it. */
export const GPU_QUERY_OLD = ['--query-gpu=index,uuid,name,memory.total,memory.free,driver_version', '--format=csv,noheader,nounits'];
export const APPS_QUERY = ['--query-compute-apps=pid,process_name,used_memory,gpu_uuid', '--format=csv,noheader,nounits'];

export interface SmiGpu {
  index: number;
  uuid: string;
  name: string;
  totalMb: number;
  freeMb: number | null;
  driverVersion: string | null;
  computeCapability: string | null;
}

export interface SmiApp {
  pid: number;
  name: string;
  usedMb: number;
  gpuUuid: string;
}

const value = (s: string | undefined): string | null => {
  const v = (s ?? '').trim();
  return !v || /^\[?N\/A\]?$/i.test(v) || /not supported/i.test(v) ? null : v;
};
const int = (s: string | undefined): number | null => {
  const v = value(s);
  return v !== null && /^\d+$/.test(v) ? Number(v) : null;
};

/** One GPU per line: index, uuid, name, total MiB, free MiB, driver[, compute capability]. */
export function parseGpuQuery(text: string): SmiGpu[] {
  const out: SmiGpu[] = [];
  for (const line of text.split(/\r?\n/)) {
    const f = line.split(',').map((x) => x.trim());
    if (f.length < 6 || int(f[0]) === null) continue;
    const hasCap = f.length >= 7 && /^\d+\.\d+$/.test(f[f.length - 1]);
    const tail = hasCap ? 4 : 3;
    // A name with a comma in it spans several fields: everything between uuid and the numbers.
    const name = f.slice(2, f.length - tail).join(', ');
    const [total, free, driver] = f.slice(f.length - tail, f.length - tail + 3);
    const totalMb = int(total);
    if (totalMb === null) continue;
    out.push({
      index: int(f[0])!,
      uuid: f[1],
      name,
      totalMb,
      freeMb: int(free),
      driverVersion: value(driver),
      computeCapability: hasCap ? f[f.length - 1] : null,
    });
  }
  return out;
}

/** One process per line: pid, process name, used MiB ([N/A] under Windows' WDDM), GPU uuid. */
export function parseComputeApps(text: string): SmiApp[] {
  const out: SmiApp[] = [];
  for (const line of text.split(/\r?\n/)) {
    const f = line.split(',').map((x) => x.trim());
    if (f.length < 4 || int(f[0]) === null) continue;
    const gpuUuid = f[f.length - 1];
    const usedMb = int(f[f.length - 2]) ?? 0;
    const full = f.slice(1, f.length - 2).join(', ');
    // nvidia-smi gives the executable's path; people know programs by their file name.
    const name = full.split(/[\\/]/).pop() || full;
    out.push({ pid: Number(f[0]), name, usedMb, gpuUuid });
  }
  return out;
}

/** "CUDA Version: 12.4" from nvidia-smi's banner: the newest CUDA the driver runs. */
export function parseCudaVersion(banner: string): string | null {
  return /CUDA Version\s*:\s*(\d+\.\d+)/.exec(banner)?.[1] ?? null;
}

export interface SmiTableProcess {
  gpuIndex: number;
  pid: number;
  name: string;
  usedMb: number;
}

/**
 * The "Processes" table at the end of plain `nvidia-smi`: it also lists graphics processes (Xorg, browsers,
 * games), which --query-compute-apps leaves out. GI/CI columns exist only on newer drivers.
 */
export function parseProcessTable(banner: string): SmiTableProcess[] {
  const out: SmiTableProcess[] = [];
  const row = /^\|\s+(\d+)\s+(?:(?:N\/A|\d+)\s+(?:N\/A|\d+)\s+)?(\d+)\s+(?:C\+G|C|G)\s+(.+?)\s+(?:(\d+)MiB|N\/A)\s*\|\s*$/;
  for (const line of banner.split(/\r?\n/)) {
    const m = row.exec(line);
    if (!m) continue;
    const name = m[3].split(/[\\/]/).pop() || m[3];
    out.push({ gpuIndex: Number(m[1]), pid: Number(m[2]), name, usedMb: m[4] ? Number(m[4]) : 0 });
  }
  return out;
}

export interface SmiResult {
  stdout: string;
  /** null on success; 'ENOENT' when there is no nvidia-smi; otherwise what it printed. */
  error: string | null;
}

export function runNvidiaSmi(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<SmiResult> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', args, { env, timeout: timeoutMs, windowsHide: true, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve({ stdout: String(stdout), error: null });
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return resolve({ stdout: '', error: 'ENOENT' });
      resolve({ stdout: String(stdout), error: (String(stdout) + String(stderr)).trim() || err.message });
    });
  });
}
