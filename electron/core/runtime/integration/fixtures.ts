/** Shared by the runtime and sidecar integration tests: the CI Python environment and small throwaway locks. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../paths';
import { provisionPython } from '../provision';

export const CI_CACHE = path.join(os.homedir(), '.cache', 'hone-ci');
export const CI_ENV = path.join(CI_CACHE, 'python-env');
export const CI_UV_CACHE = path.join(CI_CACHE, 'uv');
export const PYTHON_RUNTIME = path.join(REPO_ROOT, 'python-runtime');

/** The Python the tests train with: HONE_PYTHON (npm test sets it), else the CI environment, made as npm test makes it. */
export async function testPython(): Promise<string> {
  if (process.env.HONE_PYTHON) return process.env.HONE_PYTHON;
  const { python } = await provisionPython({ envDir: CI_ENV, flavour: 'cpu', extras: ['test'], cacheDir: CI_UV_CACHE, pythonRuntimeDir: PYTHON_RUNTIME });
  return python;
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `hone-${prefix}-`));
}

/** A python-runtime/ lookalike whose CPU lock holds only `requirements` (fast to install, no torch). */
export function fakeRuntime(requirements: string): string {
  const dir = tmpDir('runtime');
  fs.mkdirSync(path.join(dir, 'requirements'));
  fs.writeFileSync(path.join(dir, 'requirements', 'cpu.txt'), `${requirements}\n`);
  return dir;
}

/** An environment where every proxy points at a closed port: how "no network" looks to uv. */
export function offlineEnv(): NodeJS.ProcessEnv {
  const dead = 'http://127.0.0.1:9';
  return { ...process.env, HTTPS_PROXY: dead, HTTP_PROXY: dead, ALL_PROXY: dead, https_proxy: dead, http_proxy: dead, all_proxy: dead, NO_PROXY: '', no_proxy: '' };
}
