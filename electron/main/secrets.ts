/**
 * The Electron shell's SecretStore: values encrypted with safeStorage (macOS Keychain, Windows DPAPI,
 * libsecret/KWallet on Linux) and written to <dir>/<name>.enc. Where no keychain is usable, including
 * Linux's 'basic_text' backend (a fixed, well-known key: no real protection), it keeps the same 0600
 * file as headless mode and reports kind 'file', so the UI never claims more protection than there is.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SafeStorage } from 'electron';
import { checkSecretName, fileSecretStore, writePrivateFile, type SecretStore } from '../core/models/secrets';

export type SafeStorageApi = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>;

export function createSafeStorageSecrets(safeStorage: SafeStorageApi, dir: string, platform: NodeJS.Platform = process.platform): SecretStore {
  const plain = fileSecretStore(dir);
  // Asked on each use: safeStorage only answers truthfully after app 'ready', and a keyring can appear later.
  const usable = () => safeStorage.isEncryptionAvailable() && !(platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text');
  const encFile = (name: string) => {
    checkSecretName(name);
    return path.join(dir, `${name}.enc`);
  };
  return {
    get kind() {
      return usable() ? 'safeStorage' : 'file';
    },
    async get(name) {
      const file = encFile(name);
      if (fs.existsSync(file) && safeStorage.isEncryptionAvailable()) {
        try {
          return safeStorage.decryptString(fs.readFileSync(file));
        } catch {
          // The keychain entry changed (new OS user profile, reset keyring): the user enters the token again.
          return null;
        }
      }
      return plain.get(name);
    },
    async set(name, value) {
      const file = encFile(name);
      if (value !== null && usable()) {
        writePrivateFile(file, safeStorage.encryptString(value));
        await plain.set(name, null);
        return;
      }
      fs.rmSync(file, { force: true });
      await plain.set(name, value);
    },
  };
}
