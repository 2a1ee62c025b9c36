/**
 * The test Python environment is made by the app's own provisioning code (CPU stack), so the installer is
 * tested on every run. Downloads are cached under ~/.cache/hone-ci; a second run only checks the lock.
 */
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../electron/core/paths';
import { provisionPython } from '../../electron/core/runtime/provision';

export async function provisionTestPython(env: NodeJS.ProcessEnv): Promise<string> {
  if (env.HONE_PYTHON) return env.HONE_PYTHON;
  const cache = path.join(os.homedir(), '.cache', 'hone-ci');
  let last = '';
  const { python } = await provisionPython({
    envDir: path.join(cache, 'python-env'),
    flavour: 'cpu',
    // pytest for the Python test phase
    extras: ['test'],
    cacheDir: path.join(cache, 'uv'),
    pythonRuntimeDir: path.join(REPO_ROOT, 'python-runtime'),
    onProgress: (p) => {
      const line = `${p.stage}${p.detail ? `: ${p.detail}` : ''}`;
      if (line !== last) process.stdout.write(`  ${line}\n`);
      last = line;
    },
  });
  return python;
}
