import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (or unpacked app) root: two levels above electron/core. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where Hone keeps runs, the database, datasets and its Python environment. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.HONE_DATA_DIR) return path.resolve(env.HONE_DATA_DIR);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Hone');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Hone');
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'hone');
}

export interface AppPaths {
  dataDir: string;
  /** resources/ (models.json, samples, uv): the repo's in development, process.resourcesPath/resources when packaged. */
  resourcesDir: string;
  /** python-runtime/ (the sidecar package and its lock). */
  pythonRuntimeDir: string;
}

export function appPaths(overrides: Partial<AppPaths> = {}): AppPaths {
  return {
    dataDir: overrides.dataDir ?? defaultDataDir(),
    resourcesDir: overrides.resourcesDir ?? path.join(REPO_ROOT, 'resources'),
    pythonRuntimeDir: overrides.pythonRuntimeDir ?? path.join(REPO_ROOT, 'python-runtime'),
  };
}
