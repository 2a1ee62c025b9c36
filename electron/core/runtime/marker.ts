/**
 * The "ready" marker: written last, after the packages import, so its presence with the current lock's
 * hash means the environment is complete. Reading it is how runtime.status answers in milliseconds.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Extra } from './locks';

export interface EnvMarker {
  hash: string;
  flavour: string;
  /** Extra locks installed beside the main one (the test environment adds 'test'). */
  extras?: Extra[];
  python: string;
  pythonVersion: string | null;
  packages: Record<string, string | null>;
  createdAt: string;
}

export const markerPath = (envDir: string) => path.join(envDir, 'hone-env.json');

export function readMarker(envDir: string): EnvMarker | null {
  try {
    const m = JSON.parse(fs.readFileSync(markerPath(envDir), 'utf8')) as EnvMarker;
    return typeof m.hash === 'string' && typeof m.python === 'string' && fs.existsSync(m.python) ? m : null;
  } catch {
    return null;
  }
}

export function writeMarker(envDir: string, marker: EnvMarker): void {
  const file = markerPath(envDir);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(marker, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

export function removeMarker(envDir: string): void {
  fs.rmSync(markerPath(envDir), { force: true });
}
