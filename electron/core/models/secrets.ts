/**
 * Where Hone keeps secrets (the Hugging Face token). The Electron shell injects one backed by the OS
 * keychain through safeStorage (electron/main/secrets.ts); headless mode and the CLI have no keychain
 * API, so they use a file only the user can read (mode 0600), and say so (kind 'file').
 */
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';

export type SecretStorageKind = 'safeStorage' | 'file';

export interface SecretStore {
  /** How values are kept, for the UI to say plainly; may change (a keychain that becomes available). */
  readonly kind: SecretStorageKind;
  get(name: string): Promise<string | null>;
  /** null removes it. */
  set(name: string, value: string | null): Promise<void>;
}

export function checkSecretName(name: string): void {
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name)) throw new HoneError('BAD_REQUEST', `Bad secret name "${name}".`);
}

/** Writes through a temp file created 0600, so the secret is never readable by others, not even briefly. */
export function writePrivateFile(file: string, data: string | Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600); // the umask cannot widen it, but an existing tmp file keeps its old mode
  fs.renameSync(tmp, file);
}

export function fileSecretStore(dir: string): SecretStore {
  const fileOf = (name: string) => {
    checkSecretName(name);
    return path.join(dir, name);
  };
  return {
    kind: 'file',
    async get(name) {
      try {
        const v = fs.readFileSync(fileOf(name), 'utf8');
        return v ? v : null;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async set(name, value) {
      const file = fileOf(name);
      if (value === null) fs.rmSync(file, { force: true });
      else writePrivateFile(file, value);
    },
  };
}
