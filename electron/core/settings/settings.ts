import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_COSTS } from '../../shared/eval-cost';
import type { Settings } from '../../shared/types/settings';
import { REQUEST_PARAMS } from '../../shared/params';
import { writePrivateFile } from '../models/secrets';

const DEFAULT_OLLAMA = '127.0.0.1:11434';

/** What may be stored: the settings.set schema's keys, without the ones that never reach the file. */
export type StoredSettings = Omit<Settings, 'dataDir'>;
export type SettingsChange = Partial<StoredSettings>;

const FIELDS = REQUEST_PARAMS['settings.set'].shape;
const STORED_KEYS = ['pythonPath', 'ollamaHost', 'theme', 'onboarded', 'hubEndpoint', 'hubProxy', 'modelsDir', 'evalAfterTraining', 'evalCost'] as const satisfies readonly (keyof StoredSettings)[];

/**
 * The saved file, read as untrusted: each known key is kept only when it has its type (a file written by an
 * older Hone with `ollamaHost: 5` falls back to the default instead of breaking every Ollama call), unknown
 * keys are dropped. A Hugging Face token found there (older versions stored it) is handed back separately
 * so the caller can move it to the secrets store.
 */
function readSaved(file: string): { saved: SettingsChange; legacyHfToken: string | null } {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return { saved: {}, legacyHfToken: null }; // first launch or unreadable file: defaults
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { saved: {}, legacyHfToken: null };
  const obj = raw as Record<string, unknown>;
  const saved: Record<string, unknown> = {};
  for (const key of STORED_KEYS) {
    if (!Object.hasOwn(obj, key)) continue;
    const r = FIELDS[key].safeParse(obj[key]);
    if (r.success && r.data !== undefined) saved[key] = r.data;
  }
  const token = typeof obj.hfToken === 'string' && obj.hfToken.trim() ? obj.hfToken : null;
  return { saved: saved as SettingsChange, legacyHfToken: token };
}

/** Settings live in <dataDir>/settings.json (mode 0600); written atomically so a crash never leaves half a file. */
export class SettingsStore {
  private file: string;
  private current: Settings;
  /** A token an older version left in settings.json; settings/handlers.ts moves it to the secrets store. */
  legacyHfToken: string | null;

  constructor(dataDir: string, env: NodeJS.ProcessEnv = process.env) {
    this.file = path.join(dataDir, 'settings.json');
    const defaults: Settings = {
      dataDir,
      pythonPath: env.HONE_PYTHON ?? null,
      ollamaHost: env.OLLAMA_HOST ?? DEFAULT_OLLAMA,
      theme: 'system',
      hubEndpoint: null,
      hubProxy: null,
      modelsDir: null,
      onboarded: false,
      evalAfterTraining: true,
      evalCost: { ...DEFAULT_COSTS },
    };
    const { saved, legacyHfToken } = readSaved(this.file);
    this.legacyHfToken = legacyHfToken;
    // The environment wins over the file so tests and headless servers can point elsewhere.
    this.current = { ...defaults, ...saved, dataDir };
    if (env.HONE_PYTHON) this.current.pythonPath = env.HONE_PYTHON;
    if (env.OLLAMA_HOST) this.current.ollamaHost = env.OLLAMA_HOST;
  }

  get(): Settings {
    return { ...this.current };
  }

  /** Only the stored keys are taken, whatever else the object carries. */
  set(change: SettingsChange): Settings {
    const next = { ...this.current };
    for (const key of STORED_KEYS) {
      if (change[key] !== undefined) (next as Record<string, unknown>)[key] = change[key];
    }
    this.current = next;
    this.save();
    return this.get();
  }

  /** Rewrites the file from the known keys only (which also drops a legacy token once it has been moved). */
  save(): void {
    const { dataDir: _dataDir, ...stored } = this.current;
    writePrivateFile(this.file, JSON.stringify(stored, null, 2));
  }
}
