/**
 * One writer per repo folder across processes: the app and `hone download` may be asked for the same
 * model at once, and two writers appending to one .part file would corrupt it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';

const LOCK = '.hone-download.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the folder's lock (a stale one, left by a crashed process, is taken over); returns its release. */
export function lockRepoDir(dir: string, repo: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK);
  for (let tries = 0; ; tries++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 0) throw err;
      const holder = Number(fs.readFileSync(file, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new HoneError('BAD_REQUEST', `Another Hone process (pid ${holder}) is downloading ${repo} right now.`, 'Wait for it to finish; downloading again then returns at once.');
      }
      fs.rmSync(file, { force: true });
    }
  }
}
