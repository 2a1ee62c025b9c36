import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_COSTS } from '../../shared/eval-cost';
import type { Settings } from '../../shared/types/settings';

const DEFAULT_OLLAMA = '127.0.0.1:11434';

/** Settings live in <dataDir>/settings.json; written atomically so a crash never leaves half a file. */
export class SettingsStore {
  private file: string;
  private current: Settings;

  constructor(dataDir: string, env: NodeJS.ProcessEnv = process.env) {
    this.file = path.join(dataDir, 'settings.json');
    const defaults: Settings = {
      dataDir,
      pythonPath: env.HONE_PYTHON ?? null,
      ollamaHost: env.OLLAMA_HOST ?? DEFAULT_OLLAMA,
      theme: 'system',
      hfToken: null,
      hubEndpoint: null,
      hubProxy: null,
      modelsDir: null,
      onboarded: false,
      evalAfterTraining: true,
      evalCost: { ...DEFAULT_COSTS },
    };
    let saved: Partial<Settings> = {};
    try {
      saved = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Partial<Settings>;
    } catch {
      // first launch or unreadable file: defaults
    }
    // The environment wins over the file so tests and headless servers can point elsewhere.
    this.current = { ...defaults, ...saved, dataDir };
    if (env.HONE_PYTHON) this.current.pythonPath = env.HONE_PYTHON;
    if (env.OLLAMA_HOST) this.current.ollamaHost = env.OLLAMA_HOST;
  }

  get(): Settings {
    return { ...this.current };
  }

  set(patch: Partial<Settings>): Settings {
    const { dataDir: _ignored, ...rest } = patch;
    this.current = { ...this.current, ...rest };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.current, null, 2));
    fs.renameSync(tmp, this.file);
    return this.get();
  }
}
