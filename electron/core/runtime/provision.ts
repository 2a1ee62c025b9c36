/**
 * Creates Hone's Python environment with uv: pick the PyTorch flavour for the NVIDIA driver, make a venv
 * from a Python >= 3.11 (python-version.ts; uv installs one when the machine has none), install the pinned lock, check that the stack imports, then write a marker.
 *
 * The sidecar package itself is not installed: it runs from python-runtime/ on PYTHONPATH (see
 * electron/core/sidecar/env.ts), so an app update changes the sidecar without touching the environment,
 * and a user's own Python runs exactly the same code.
 *
 * A second try resumes: uv keeps every finished download in its cache, the venv is reused when its
 * Python still runs, and `uv pip install` only adds what is missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { Progress } from '../../shared/types/progress';
import { assertFreeSpace, assertWritable, neededBytes } from './disk';
import { execLines, type ExecResult } from './exec';
import { classifyFailure, InstallError } from './failure';
import { detectNvidiaDriver, flavourForDriver, installRecipe } from './flavour';
import { effectiveLock, type Extra } from './locks';
import { readMarker, removeMarker, writeMarker } from './marker';
import { checkPython, type PythonCheck } from './python-check';
import { basePythonCommands, MIN_PYTHON, PYTHON_REQUEST, PYTHON_TO_INSTALL } from './python-version';
import { findUv } from './uv';
import { UvProgressParser } from './uv-progress';
import { venvPython } from './which';

export interface ProvisionOptions {
  /** Where the virtual environment goes. */
  envDir: string;
  /** 'cpu', or a CUDA build tag such as 'cu128'; 'auto' detects the NVIDIA driver. */
  flavour: 'auto' | 'cpu' | string;
  /** uv's download cache (CI points it under ~/.cache/hone-ci); uv's own default when unset. */
  cacheDir?: string;
  pythonRuntimeDir: string;
  onProgress?: (p: Progress) => void;
  /** Extra locks next to the main one, e.g. 'test' (pytest) for the test environment. */
  extras?: Extra[];
  /** resources/ of the app: a shipped uv is looked for in its bin/. */
  resourcesDir?: string;
  /** Where a bootstrapped uv goes; defaults to a "tools" folder beside envDir. */
  toolsDir?: string;
  /** An explicit uv; null or unset searches (resources, PATH, tools, bootstrap). */
  uv?: string | null;
  /** Whether uv may be pip-installed when none is found (default true). */
  bootstrap?: boolean;
  /** Which Pythons uv may build the venv from. */
  pythonRequest?: string;
  /** Reinstall even when the marker says the environment is current. */
  force?: boolean;
  /** Import-check the stack after installing (default true); only locks without torch skip it. */
  verify?: boolean;
  /** Free space required before installing; defaults to the flavour's rough size. */
  minFreeBytes?: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export interface ProvisionResult {
  python: string;
  flavour: string;
  envDir: string;
  /** True when the marker matched and nothing ran. */
  reused: boolean;
  /** A remark for the user, e.g. an old driver running in compatibility mode. */
  note?: string;
}

const DEFAULT_PYTHON_REQUEST = PYTHON_REQUEST;

/** uv's -v chatter that never helps in an error report. */
const tailFilter = (l: string) => !/^(DEBUG|TRACE|WARN Skipping)/.test(l) && l.trim() !== '';

export async function resolveFlavour(flavour: string, env: NodeJS.ProcessEnv): Promise<{ flavour: string; note?: string }> {
  if (flavour !== 'auto') return { flavour };
  const driver = await detectNvidiaDriver(env);
  return flavourForDriver(driver?.driverVersion ?? null);
}

/** The lock hash an environment for these options must carry; used by the fast status check too. */
export function expectedHash(opts: Pick<ProvisionOptions, 'pythonRuntimeDir' | 'extras'>, flavour: string): string {
  const recipe = installRecipe(flavour);
  return effectiveLock({ pythonRuntimeDir: opts.pythonRuntimeDir, lock: recipe.lock, extras: opts.extras, torchBackend: recipe.torchBackend }).hash;
}

export async function provisionPython(opts: ProvisionOptions): Promise<ProvisionResult & { python: string }> {
  const env = { ...(opts.env ?? process.env), NO_COLOR: '1', ...(opts.cacheDir ? { UV_CACHE_DIR: opts.cacheDir } : {}) };
  const progress = opts.onProgress ?? (() => {});
  const envDir = path.resolve(opts.envDir);
  const { flavour, note } = await resolveFlavour(opts.flavour, env);
  const recipe = installRecipe(flavour);
  const lock = effectiveLock({ pythonRuntimeDir: opts.pythonRuntimeDir, lock: recipe.lock, extras: opts.extras, torchBackend: recipe.torchBackend });

  const marker = readMarker(envDir);
  if (!opts.force && marker && marker.hash === lock.hash) return { python: marker.python, flavour, envDir, reused: true, note };

  assertWritable(envDir);
  assertFreeSpace([envDir, ...(opts.cacheDir ? [opts.cacheDir] : [])], opts.minFreeBytes ?? neededBytes(recipe.lock));
  progress({ stage: 'Finding uv', done: 0, total: null, unit: 'items' });
  const uv = await findUv({
    uv: opts.uv,
    resourcesDir: opts.resourcesDir,
    toolsDir: opts.toolsDir ?? path.join(path.dirname(envDir), 'tools'),
    bootstrap: opts.bootstrap,
    env,
    signal: opts.signal,
    onStage: (stage) => progress({ stage, done: 0, total: null, unit: 'items' }),
  });

  removeMarker(envDir); // from here on the environment is in flux until the check passes
  const python = await ensureVenv(uv, envDir, opts.pythonRequest ?? DEFAULT_PYTHON_REQUEST, env, opts.signal, progress);

  const lockFile = path.join(envDir, 'requirements.lock.txt');
  fs.writeFileSync(lockFile, lock.text);
  const overridesFile = path.join(envDir, 'requirements.overrides.txt');
  if (lock.overrides) fs.writeFileSync(overridesFile, lock.overrides);
  // A complete lock is synced (the env then holds exactly it, leftovers of an older lock removed). With
  // torch from the PyTorch index the CUDA library pins were dropped, so uv must resolve: install.
  const args = recipe.torchBackend
    ? ['-v', 'pip', 'install', '--python', python, '-r', lockFile, '--torch-backend', recipe.torchBackend, ...(lock.overrides ? ['--overrides', overridesFile] : [])]
    : ['-v', 'pip', 'sync', '--python', python, lockFile];
  const run = (extra: string[]) => {
    const parser = new UvProgressParser(progress, lock.count);
    return execLines(uv, [...args, ...extra], { env, cwd: envDir, signal: opts.signal, tailLines: 30, tailFilter, onLine: (l) => parser.line(l) });
  };
  let result = await run([]);
  if (result.code !== 0 && !opts.signal?.aborted) {
    const failure = classifyFailure(tailOf(result), 'Installing the Python packages', envDir);
    // Offline, but an earlier attempt may have left every wheel in uv's cache: try from the cache alone.
    if (failure.code !== 'NO_NETWORK') throw failure;
    progress({ stage: 'No network: trying the download cache', done: 0, total: null, unit: 'packages' });
    result = await run(['--offline']);
    if (result.code !== 0) throw failure;
  }
  if (opts.signal?.aborted) throw new HoneError('INSTALL_FAILED', 'The installation was cancelled.', 'Press Install to resume it.');

  let check: PythonCheck | null = null;
  if (opts.verify !== false) {
    progress({ stage: 'Checking the installed packages', done: 0, total: null, unit: 'items' });
    check = await checkPython(python, { pythonRuntimeDir: opts.pythonRuntimeDir, imports: true, env: opts.env });
    if (check.fatal) {
      throw new InstallError('INSTALL_FAILED', 'The packages installed but do not work.', 'Press Install to repair the environment; if it fails again, report the lines below.', check.problems.join('\n'));
    }
  }
  writeMarker(envDir, { hash: lock.hash, flavour, extras: opts.extras ?? [], python, pythonVersion: check?.version ?? null, packages: check?.packages ?? {}, createdAt: new Date().toISOString() });
  progress({ stage: 'Ready', done: 1, total: 1, unit: 'items' });
  return { python, flavour, envDir, reused: false, note };
}

const tailOf = (r: ExecResult) => r.tail.join('\n');

/** Reuses the venv when its Python runs (a resumed install); otherwise creates it afresh. */
async function ensureVenv(
  uv: string,
  envDir: string,
  request: string,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal | undefined,
  progress: (p: Progress) => void,
): Promise<string> {
  const python = venvPython(envDir);
  if (fs.existsSync(python)) {
    // A venv made from an older Python (before 3.11 was required) is rebuilt rather than reused.
    const probe = await execLines(python, ['-c', `import sys; print(sys.version_info >= (${MIN_PYTHON.join(', ')}))`], { env, timeoutMs: 30_000 }).catch(() => null);
    if (probe?.code === 0 && probe.stdout.trim() === 'True') return python;
  }
  progress({ stage: 'Creating the Python environment', done: 0, total: null, unit: 'items' });
  const cwd = path.dirname(envDir);
  const base = await findBasePython(uv, request, env, cwd, signal, progress);
  const r = await execLines(uv, ['venv', '--clear', '--python', base, envDir], { env, cwd, signal, tailFilter });
  if (r.code !== 0) throw classifyFailure(tailOf(r), 'Creating the Python environment', envDir);
  return python;
}

/** A system (or uv-managed) Python in range; uv downloads one where none is installed and the network allows. */
export async function findBasePython(
  uv: string,
  request: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  signal: AbortSignal | undefined,
  progress: (p: Progress) => void,
): Promise<string> {
  // Never build on whatever virtual environment happens to be active around Hone.
  const clean = { ...env, VIRTUAL_ENV: undefined, CONDA_PREFIX: undefined };
  const commands = basePythonCommands(request);
  const find = () => execLines(uv, commands.find, { env: clean, cwd, signal, timeoutMs: 60_000 });
  let r = await find();
  if (r.code === 0 && r.stdout.trim()) return r.stdout.trim().split('\n').pop()!;
  progress({ stage: `Downloading Python ${PYTHON_TO_INSTALL}`, done: 0, total: null, unit: 'items' });
  const install = await execLines(uv, commands.install, { env, cwd, signal, tailFilter });
  r = await find();
  if (r.code === 0 && r.stdout.trim()) return r.stdout.trim().split('\n').pop()!;
  throw new InstallError(
    'PYTHON_MISSING',
    `No Python ${PYTHON_REQUEST} was found, and uv could not download Python ${PYTHON_TO_INSTALL}.`,
    `Install Python ${PYTHON_TO_INSTALL} or newer from python.org (or your package manager: on Ubuntu 22.04, the deadsnakes PPA's python3.11), then press Install again.`,
    tailOf(install),
  );
}
