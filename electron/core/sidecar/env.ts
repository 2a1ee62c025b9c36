/**
 * The sidecar's environment. The package runs from python-runtime/ on PYTHONPATH rather than being
 * installed into the venv, so Hone's own environment and a Python the user chose run the same code.
 */
import path from 'node:path';

export interface SidecarEnvOptions {
  pythonRuntimeDir: string;
  base?: NodeJS.ProcessEnv;
  /** Set HF_HUB_OFFLINE: the model is a local folder, so any hub lookup would only time out. */
  offline?: boolean;
  /** Hone's own venv: ignore ~/.local site-packages that could shadow the pinned stack. */
  noUserSite?: boolean;
  /** The GPU to train on (see gpuFor): its nvidia-smi index, 'none' to hide every GPU, null to leave as is. */
  gpu?: number | 'none' | null;
}

/**
 * Which GPU the sidecar may see, from the plan: the card it was planned for, no GPU at all for a CPU plan
 * (which was sized for fp32 on the CPU), and no change for a plan made for a card named by size.
 */
export function gpuFor(plan: { device: 'cuda' | 'cpu'; gpu_index?: number | null }): number | 'none' | null {
  if (plan.device === 'cpu') return 'none';
  const i = plan.gpu_index;
  return typeof i === 'number' && Number.isInteger(i) && i >= 0 ? i : null;
}

export function sidecarEnv(opts: SidecarEnvOptions): NodeJS.ProcessEnv {
  const base = opts.base ?? process.env;
  const pythonPath = [opts.pythonRuntimeDir, base.PYTHONPATH].filter(Boolean).join(path.delimiter);
  const env: NodeJS.ProcessEnv = {
    ...base,
    PYTHONPATH: pythonPath,
    // Events must arrive as they happen, not when a 4 KB buffer fills.
    PYTHONUNBUFFERED: '1',
    // Windows consoles default to a code page that cannot encode every dataset's text.
    PYTHONIOENCODING: 'utf-8',
    // The tokenizers library forks worker threads that deadlock after the trainer forks; it warns otherwise.
    TOKENIZERS_PARALLELISM: 'false',
  };
  if (opts.offline) env.HF_HUB_OFFLINE = '1';
  if (opts.gpu === 'none') {
    env.CUDA_VISIBLE_DEVICES = '';
  } else if (typeof opts.gpu === 'number' && Number.isInteger(opts.gpu) && opts.gpu >= 0) {
    // nvidia-smi numbers GPUs in PCI bus order; CUDA's own default order (fastest first) need not match it.
    env.CUDA_DEVICE_ORDER = 'PCI_BUS_ID';
    env.CUDA_VISIBLE_DEVICES = String(opts.gpu);
  }
  if (opts.noUserSite) env.PYTHONNOUSERSITE = '1';
  // A virtual environment active in the shell that launched Hone must not leak into the sidecar's.
  delete env.PYTHONHOME;
  return env;
}
