export type GpuVendor = 'nvidia' | 'amd' | 'intel' | 'apple' | 'other';

export interface GpuProcess {
  pid: number;
  name: string;
  usedMb: number;
}

export interface Gpu {
  index: number;
  vendor: GpuVendor;
  name: string;
  vramTotalMb: number;
  /** Free VRAM as nvidia-smi reports it; null when unknown. */
  vramFreeMb: number | null;
  driverVersion: string | null;
  /** e.g. "8.6" */
  computeCapability: string | null;
  /** Highest CUDA version the driver supports, e.g. "12.4". */
  cudaDriverVersion: string | null;
  processes: GpuProcess[];
}

export type HardwareNoticeLevel = 'info' | 'warning' | 'error';

export interface HardwareNotice {
  level: HardwareNoticeLevel;
  code: 'CPU_ONLY' | 'MULTI_GPU' | 'UNSUPPORTED_GPU' | 'DRIVER_TOO_OLD' | 'VRAM_IN_USE' | 'LOW_DISK' | 'LOW_RAM';
  message: string;
}

export interface Hardware {
  gpus: Gpu[];
  /** Index into gpus of the NVIDIA GPU Hone will train on, or null for CPU only. */
  selectedGpu: number | null;
  /**
   * The cards to train on together when the user picked several (2 or more, selectedGpu first); absent or a
   * single entry: one GPU.
   */
  selectedGpus?: number[];
  cpu: { brand: string; cores: number; physicalCores: number };
  ramTotalMb: number;
  ramFreeMb: number;
  os: { platform: string; distro: string; release: string; arch: string };
  disk: { path: string; freeMb: number | null; totalMb: number | null };
  notices: HardwareNotice[];
  /** Which training path is possible: 'cuda' (Unsloth) or 'cpu' (plain transformers, demo sizes only). */
  backend: 'cuda' | 'cpu';
}
