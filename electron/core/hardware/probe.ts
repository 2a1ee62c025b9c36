/** Asks the machine: systeminformation for GPUs, CPU, RAM, OS and disk; nvidia-smi for what it adds. */
import si from 'systeminformation';
import type { RawHardware } from './normalise';
import { APPS_QUERY, GPU_QUERY, GPU_QUERY_OLD, runNvidiaSmi } from './nvidia-smi';

async function nvidiaSmi(env: NodeJS.ProcessEnv): Promise<RawHardware['nvidiaSmi']> {
  let gpus = await runNvidiaSmi(GPU_QUERY, env);
  if (gpus.error === 'ENOENT') return { gpus: null, apps: null, banner: null, error: 'ENOENT' };
  if (gpus.error && /compute_cap/.test(gpus.error)) gpus = await runNvidiaSmi(GPU_QUERY_OLD, env);
  if (gpus.error) return { gpus: null, apps: null, banner: null, error: gpus.error };
  const [apps, banner] = await Promise.all([runNvidiaSmi(APPS_QUERY, env), runNvidiaSmi([], env)]);
  return { gpus: gpus.stdout, apps: apps.error ? null : apps.stdout, banner: banner.error ? null : banner.stdout, error: null };
}

export async function probeHardware(dataDir: string, env: NodeJS.ProcessEnv): Promise<RawHardware> {
  const [graphics, cpu, mem, os, fsSize, smi] = await Promise.all([
    si.graphics().catch(() => ({ controllers: [] })),
    si.cpu(),
    si.mem(),
    si.osInfo(),
    si.fsSize().catch(() => []),
    nvidiaSmi(env),
  ]);
  return {
    graphics: { controllers: graphics.controllers.map((c) => ({ vendor: c.vendor, model: c.model, vram: c.vram, name: c.name, driverVersion: c.driverVersion })) },
    cpu: { manufacturer: cpu.manufacturer, brand: cpu.brand, cores: cpu.cores, physicalCores: cpu.physicalCores },
    mem: { total: mem.total, available: mem.available },
    os: { platform: os.platform === 'Windows' ? 'win32' : os.platform, distro: os.distro, release: os.release, arch: os.arch },
    fsSize: fsSize.map((f) => ({ mount: f.mount, size: f.size, available: f.available })),
    dataDir,
    nvidiaSmi: smi,
  };
}
