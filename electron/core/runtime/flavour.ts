/**
 * Which PyTorch build to install. The lock pins torch 2.8.0, which PyTorch publishes for CUDA 12.6,
 * 12.8 and 12.9 (there is no 12.4 or 12.1 build of 2.8), so the NVIDIA driver picks between two:
 *
 *   driver >= 570        -> cu128  (CUDA 12.8; the only build with Blackwell / RTX 50xx kernels)
 *   560 <= driver < 570  -> cu126  (CUDA 12.6's own minimum driver)
 *   525 <= driver < 560  -> cu126  (runs through CUDA's minor-version compatibility: every 12.x runtime
 *                                   works on a >= 525.60 driver; a newer driver is still recommended)
 *   driver < 525         -> refused (DRIVER_TOO_OLD): no torch 2.8 build runs on it
 *   no NVIDIA GPU        -> cpu    (the lock as PyPI serves it)
 *
 * On Linux x86_64 PyPI's own torch 2.8.0 wheel *is* the cu128 build, so 'cpu' and 'cu128' install the
 * very same lock there (CI tests exactly what users with a recent driver run); the CUDA libraries simply
 * go unused without a GPU. Other CUDA tags come from the PyTorch index through uv's --torch-backend.
 */
import { execLines } from './exec';
import { HoneError } from '../../shared/errors';

export type Flavour = 'cpu' | 'cu126' | 'cu128';

export interface DriverInfo {
  driverVersion: string;
  gpuName: string;
}

export function flavourForDriver(driverVersion: string | null): { flavour: Flavour; note?: string } {
  if (!driverVersion) return { flavour: 'cpu' };
  const major = Number.parseInt(driverVersion.split('.')[0] ?? '', 10);
  if (!Number.isFinite(major)) return { flavour: 'cpu', note: `unreadable NVIDIA driver version "${driverVersion}"` };
  if (major >= 570) return { flavour: 'cu128' };
  if (major >= 560) return { flavour: 'cu126' };
  if (major >= 525) {
    return { flavour: 'cu126', note: `NVIDIA driver ${driverVersion} runs CUDA 12.6 through compatibility mode; driver 570 or newer is recommended` };
  }
  throw new HoneError(
    'DRIVER_TOO_OLD',
    `NVIDIA driver ${driverVersion} is too old for PyTorch 2.8 (needs 525 or newer).`,
    'Update the NVIDIA driver (570 or newer is best), or install the CPU runtime with "hone setup --cpu".',
  );
}

/** Asks nvidia-smi for the driver; null when there is no NVIDIA driver (or no GPU) on this machine. */
export async function detectNvidiaDriver(env: NodeJS.ProcessEnv = process.env): Promise<DriverInfo | null> {
  try {
    const r = await execLines('nvidia-smi', ['--query-gpu=driver_version,name', '--format=csv,noheader'], { env, timeoutMs: 10_000 });
    if (r.code !== 0) return null;
    const first = r.stdout.split('\n').find((l) => l.trim());
    if (!first) return null;
    const [driverVersion, ...name] = first.split(',').map((s) => s.trim());
    return driverVersion ? { driverVersion, gpuName: name.join(',') } : null;
  } catch {
    return null; // nvidia-smi not installed: no NVIDIA driver
  }
}

/** What uv needs for a flavour: whether torch comes from the PyTorch index, and which pins to drop. */
export function installRecipe(flavour: string, platform: NodeJS.Platform = process.platform): { lock: 'cpu' | 'cuda'; torchBackend: string | null } {
  if (flavour === 'cpu') return { lock: 'cpu', torchBackend: null };
  if (!/^cu\d{3}$/.test(flavour)) throw new HoneError('BAD_REQUEST', `Unknown runtime flavour "${flavour}".`, 'Use "cpu", "cu126", "cu128" or "auto".');
  // PyPI's Linux wheel is already the cu128 build; elsewhere (Windows) PyPI's torch is CPU-only.
  const torchBackend = platform === 'linux' && flavour === 'cu128' ? null : flavour;
  return { lock: 'cuda', torchBackend };
}
