// STUB: replaced by the runtime provisioning work (issue 3).
import type { Progress } from '../../shared/types/progress';

export interface ProvisionOptions {
  /** Where the virtual environment goes. */
  envDir: string;
  /** 'cpu', or a CUDA build tag such as 'cu128'; 'auto' detects the NVIDIA driver. */
  flavour: 'auto' | 'cpu' | string;
  /** uv's download cache (CI points it under ~/.cache/hone-ci). */
  cacheDir?: string;
  pythonRuntimeDir: string;
  onProgress?: (p: Progress) => void;
}

export async function provisionPython(_opts: ProvisionOptions): Promise<{ python: string }> {
  throw new Error('provisioning not implemented yet: set HONE_PYTHON');
}
