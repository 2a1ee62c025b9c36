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
  if (opts.noUserSite) env.PYTHONNOUSERSITE = '1';
  // A virtual environment active in the shell that launched Hone must not leak into the sidecar's.
  delete env.PYTHONHOME;
  return env;
}
