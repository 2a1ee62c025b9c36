/** Free space, checked before a multi-GB install so "disk full" is said up front rather than mid-way. */
import fs from 'node:fs';
import path from 'node:path';
import { InstallError } from './failure';
import { formatBytes } from './uv-progress';

const GB = 1024 ** 3;

/** Rough room an install needs: PyPI's Linux torch carries ~3 GB of CUDA libraries, unpacked twice (cache + env). */
export function neededBytes(lock: 'cpu' | 'cuda', platform: NodeJS.Platform = process.platform): number {
  if (lock === 'cuda') return 12 * GB;
  return platform === 'linux' ? 8 * GB : 3 * GB;
}

/** Free bytes on the volume holding `dir` (or its nearest existing parent); null when unknown. */
export function freeBytes(dir: string): number | null {
  let p = path.resolve(dir);
  while (!fs.existsSync(p)) {
    const up = path.dirname(p);
    if (up === p) return null;
    p = up;
  }
  try {
    const s = fs.statfsSync(p);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

export function assertFreeSpace(dirs: string[], needed: number): void {
  for (const dir of dirs) {
    const free = freeBytes(dir);
    if (free !== null && free < needed) {
      throw new InstallError(
        'DISK_FULL',
        `Not enough free disk space: ${formatBytes(free)} free where ${dir} lives, the Python environment needs about ${formatBytes(needed)}.`,
        'Free some space on that drive (or choose a data folder on another drive in Settings), then press Install again.',
        '',
      );
    }
  }
}

/** Creates `dir` and writes a probe file, so an unwritable location fails first, with a plain message. */
export function assertWritable(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const probe = path.join(dir, `.hone-write-test-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new InstallError(
      'INSTALL_FAILED',
      `Hone cannot write its Python environment to ${dir} (${code}).`,
      'Make that folder writable, or choose a data folder Hone can write to in Settings (or HONE_DATA_DIR), then try again.',
      String((err as Error).message ?? err),
    );
  }
}
