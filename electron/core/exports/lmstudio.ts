/**
 * "Add to LM Studio": the GGUF file in LM Studio's models folder, as `lms import` places it:
 * <models>/<publisher>/<model>/<file>.gguf (LM Studio lists models two folders deep).
 *
 * The models folder, as LM Studio's own CLI finds it (lmstudio-ai/lms: lmstudioPaths.ts, importCmd.ts):
 *  - LM Studio's home: the path in ~/.lmstudio-home-pointer, else ~/.cache/lm-studio (older installs), else
 *    ~/.lmstudio;
 *  - the folder chosen in My Models: `downloadsFolder` in settings.json (in the user's app-data folder,
 *    "LM Studio/settings.json"; newer builds also keep one in the home), else <home>/models.
 * A hard link costs no space when the run folder is on the same disk; otherwise the file is copied.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { HoneError } from '../../shared/errors';

export interface LmStudioPlace {
  home: string;
  modelsDir: string;
  /** Where the models folder came from. */
  from: 'settings' | 'default';
  settingsFile: string | null;
}

function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME || env.USERPROFILE || os.homedir();
}

function appDataOf(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  const home = homeOf(env);
  if (platform === 'win32') return env.APPDATA || path.join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME || path.join(home, '.config');
}

const isDir = (p: string) => {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
};

function downloadsFolder(file: string, home: string): string | null {
  try {
    const v = (JSON.parse(fs.readFileSync(file, 'utf8')) as { downloadsFolder?: unknown }).downloadsFolder;
    if (typeof v !== 'string' || !v.trim()) return null;
    const p = v.trim().replace(/^~(?=$|[/\\])/, home);
    return path.isAbsolute(p) ? p : null;
  } catch {
    return null;
  }
}

/** LM Studio's models folder, or null when LM Studio has never run as this user. */
export function findLmStudio(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): LmStudioPlace | null {
  const home = homeOf(env);
  let lmHome: string | null = null;
  try {
    const pointed = fs.readFileSync(path.join(home, '.lmstudio-home-pointer'), 'utf8').trim();
    if (pointed && isDir(pointed)) lmHome = pointed;
  } catch {
    // no pointer file
  }
  lmHome ??= [path.join(home, '.cache', 'lm-studio'), path.join(home, '.lmstudio')].find(isDir) ?? null;
  if (!lmHome) return null;
  for (const settingsFile of [path.join(appDataOf(env, platform), 'LM Studio', 'settings.json'), path.join(lmHome, 'settings.json')]) {
    const dir = downloadsFolder(settingsFile, home);
    if (dir) return { home: lmHome, modelsDir: dir, from: 'settings', settingsFile };
  }
  return { home: lmHome, modelsDir: path.join(lmHome, 'models'), from: 'default', settingsFile: null };
}

/** LM Studio's rules for a publisher or model folder name (lms importCmd.ts isValidFolderName). */
export function lmStudioFolderName(name: string): string {
  const clean = name.replace(/[/<>:"\\|?*]+/g, '-').trim().replace(/^\.+|\.+$/g, '').slice(0, 100);
  return clean || 'model';
}

export interface LmStudioAdded {
  path: string;
  modelsDir: string;
  linked: boolean;
  /** LM Studio's name for it: publisher/model. */
  id: string;
}

function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [fs.statSync(a), fs.statSync(b)];
    return x.ino === y.ino && x.dev === y.dev;
  } catch {
    return false;
  }
}

export async function addToLmStudio(opts: { gguf: string; publisher: string; model: string; env?: NodeJS.ProcessEnv; onBytes?: (n: number) => void; platform?: NodeJS.Platform }): Promise<LmStudioAdded> {
  const place = findLmStudio(opts.env ?? process.env, opts.platform);
  if (!place) {
    throw new HoneError('LMSTUDIO_NOT_FOUND', `LM Studio is not set up for this user (no ~/.lmstudio folder).`, 'Install LM Studio from https://lmstudio.ai and open it once, then add the model again; or use the GGUF file directly.');
  }
  const publisher = lmStudioFolderName(opts.publisher);
  const model = lmStudioFolderName(opts.model);
  const dir = path.join(place.modelsDir, publisher, model);
  const dest = path.join(dir, path.basename(opts.gguf));
  const id = `${publisher}/${model}`;
  if (sameFile(opts.gguf, dest)) return { path: dest, modelsDir: place.modelsDir, linked: true, id };
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new HoneError('NOT_FOUND', `LM Studio's models folder ${place.modelsDir} cannot be written (${(err as NodeJS.ErrnoException).code}).`, 'Check the models folder in LM Studio (My Models), then add the model again.');
  }
  // Made under a temporary name and renamed over an older copy, so LM Studio never sees half a file.
  const tmp = path.join(dir, `.${path.basename(opts.gguf)}.hone-${crypto.randomBytes(4).toString('hex')}`);
  let linked = true;
  try {
    try {
      fs.linkSync(opts.gguf, tmp);
      opts.onBytes?.(fs.statSync(opts.gguf).size);
    } catch {
      // Another disk (EXDEV) or a file system without hard links: copy.
      linked = false;
      const count = new Transform({
        transform(chunk: Buffer, _e, done) {
          opts.onBytes?.(chunk.length);
          done(null, chunk);
        },
      });
      await pipeline(fs.createReadStream(opts.gguf, { highWaterMark: 1 << 20 }), count, fs.createWriteStream(tmp, { mode: 0o644 }));
    }
    fs.renameSync(tmp, dest);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return { path: dest, modelsDir: place.modelsDir, linked, id };
}
