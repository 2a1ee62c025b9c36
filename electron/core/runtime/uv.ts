/**
 * Finding uv, in order: the binary shipped in resources/bin (fetched at packaging time by
 * electron/scripts/fetch-uv.mjs), `uv` on PATH, one Hone bootstrapped earlier, and finally a bootstrap:
 * a small venv made with the system's python3 into which pip installs uv from PyPI.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import { execLines } from './exec';
import { classifyFailure } from './failure';
import { isExecutable, venvPython, which } from './which';

/** The uv release Hone is tested with (also what fetch-uv.mjs ships). */
export const UV_VERSION = '0.9.5';

export interface FindUvOptions {
  /** An explicit uv binary (tests, power users). */
  uv?: string | null;
  resourcesDir?: string;
  toolsDir: string;
  /** Whether a missing uv may be pip-installed; false turns "no uv" into a clear error. */
  bootstrap?: boolean;
  env?: NodeJS.ProcessEnv;
  onStage?: (stage: string) => void;
  signal?: AbortSignal;
}

const exe = (name: string) => (process.platform === 'win32' ? `${name}.exe` : name);

function bootstrappedUv(toolsDir: string): string {
  const venv = path.join(toolsDir, 'uv-venv');
  return process.platform === 'win32' ? path.join(venv, 'Scripts', 'uv.exe') : path.join(venv, 'bin', 'uv');
}

async function works(uv: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    const r = await execLines(uv, ['--version'], { env, timeoutMs: 15_000 });
    return r.code === 0 && /^uv \d/.test(r.stdout.trim());
  } catch {
    return false;
  }
}

export async function findUv(opts: FindUvOptions): Promise<string> {
  const env = opts.env ?? process.env;
  if (opts.uv) {
    if (isExecutable(opts.uv) && (await works(opts.uv, env))) return opts.uv;
    throw new HoneError('PYTHON_MISSING', `The uv binary ${opts.uv} does not run.`, 'Point Hone at a working uv, or leave it unset so Hone finds its own.');
  }
  const candidates = [opts.resourcesDir ? path.join(opts.resourcesDir, 'bin', exe('uv')) : null, which('uv', env), bootstrappedUv(opts.toolsDir)];
  for (const c of candidates) {
    if (c && isExecutable(c) && (await works(c, env))) return c;
  }
  if (opts.bootstrap === false) {
    throw new HoneError(
      'PYTHON_MISSING',
      'uv, the installer Hone uses for its Python environment, was not found.',
      `Install uv (pip install uv==${UV_VERSION}, or see docs.astral.sh/uv), or reinstall Hone, which ships it.`,
    );
  }
  return bootstrapUv(opts, env);
}

async function bootstrapUv(opts: FindUvOptions, env: NodeJS.ProcessEnv): Promise<string> {
  const python = ['python3', 'python'].map((n) => which(n, env)).find(Boolean);
  if (!python) {
    throw new HoneError(
      'PYTHON_MISSING',
      'Neither uv nor a system Python was found, so Hone cannot set up its Python environment.',
      // Any Python that runs pip can bootstrap uv; uv then provides 3.11 if the system's is older.
      'Install Python 3.11 or newer (python.org), or uv (docs.astral.sh/uv), then try again.',
    );
  }
  const venv = path.join(opts.toolsDir, 'uv-venv');
  opts.onStage?.('Installing uv');
  fs.mkdirSync(opts.toolsDir, { recursive: true });
  const steps: [string, string[]][] = [
    [python, ['-m', 'venv', venv]],
    [venvPython(venv), ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', `uv==${UV_VERSION}`]],
  ];
  for (const [cmd, args] of steps) {
    const r = await execLines(cmd, args, { env, signal: opts.signal, timeoutMs: 10 * 60_000 });
    if (r.code !== 0) throw classifyFailure(r.tail.join('\n'), 'Installing uv', opts.toolsDir);
  }
  const uv = bootstrappedUv(opts.toolsDir);
  if (!(await works(uv, env))) throw new HoneError('INSTALL_FAILED', `uv was installed into ${venv} but does not run.`, 'Delete that folder and try again.');
  return uv;
}
