/**
 * Hone's data folder holds training data, models, the run database and settings: on a shared GPU server none
 * of it is anyone else's business. The folder is 0700 and everything Hone (or its Python sidecar, which
 * inherits the umask) creates is 0600 / 0700.
 */
import fs from 'node:fs';

/** New files 0600, new folders 0700, for this process and the processes it starts. */
export function restrictUmask(): void {
  if (process.platform === 'win32') return; // NTFS ACLs of the user profile already do this
  process.umask(0o077);
}

/** Creates the folder 0700, and tightens an existing one of ours that an older version left 0755. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  const st = fs.statSync(dir);
  // Never chmod a folder someone else owns (HONE_DATA_DIR pointed at a shared place): that is theirs to set.
  if (st.uid === process.getuid?.() && (st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}

/** Tightens one existing file (a database an older version created 0644); missing files are fine. */
export function makePrivate(file: string): void {
  if (process.platform === 'win32') return;
  try {
    const st = fs.statSync(file);
    if ((st.mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
