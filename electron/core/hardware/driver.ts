/**
 * Driver and GPU generation limits for Hone's CUDA path.
 * - PyTorch's current wheels are built for CUDA 12.x (cu126/cu128/cu129). Under CUDA's minor-version
 *   compatibility a 12.x build runs on any driver >= 525.60.13 on Linux and >= 528.33 on Windows (NVIDIA,
 *   "CUDA Toolkit Release Notes", table "CUDA Toolkit and Minimum Required Driver Version").
 * - Unsloth needs compute capability 7.0 or newer (V100, T4, RTX 20xx and later); 6.x (GTX 10xx) works but
 *   slowly (Unsloth Requirements page). Below 6.0 PyTorch's CUDA 12 wheels have no kernels.
 */
export const MIN_DRIVER: Record<string, string> = { linux: '525.60.13', win32: '528.33' };
export const UNSLOTH_MIN_CC = 7.0;
export const PYTORCH_MIN_CC = 6.0;

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function minDriverFor(platform: string): string {
  return MIN_DRIVER[platform] ?? MIN_DRIVER.linux;
}

export function driverTooOld(version: string | null, platform: string): boolean {
  return version !== null && compareVersions(version, minDriverFor(platform)) < 0;
}
