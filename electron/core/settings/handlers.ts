import fs from 'node:fs';
import path from 'node:path';
import type { RequestHandlers } from '../../shared/contract';
import { DEFAULT_COSTS } from '../../shared/eval-cost';
import { HoneError } from '../../shared/errors';
import type { SettingsPatch } from '../../shared/params';
import type { CoreContext } from '../context';
import { checkHubSettings } from '../models/http';
import { setHubToken } from '../models/token';
import { checkPython } from '../runtime/python-check';

/**
 * A Python the user names is run by Hone (every status check, every run), so before it is saved it must be
 * an absolute path to an executable file that answers as Python 3.10 or newer (the runtime's own check,
 * without importing the training stack: missing packages are reported by runtime.status, not refused here).
 */
async function checkChosenPython(ctx: CoreContext, python: string): Promise<void> {
  const hint = 'Give the full path of a python executable (e.g. /usr/bin/python3 or a venv\'s bin/python), or leave it empty to use Hone\'s own environment.';
  if (!path.isAbsolute(python)) throw new HoneError('BAD_REQUEST', `"${python}" is not an absolute path.`, hint);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(python);
  } catch {
    throw new HoneError('BAD_REQUEST', `${python} does not exist.`, hint);
  }
  if (!stat.isFile()) throw new HoneError('BAD_REQUEST', `${python} is not a file.`, hint);
  const check = await checkPython(python, { pythonRuntimeDir: ctx.paths.pythonRuntimeDir, imports: false, env: ctx.env, timeoutMs: 30_000 });
  if (!check.version) throw new HoneError('BAD_REQUEST', `${python} did not answer as Python: ${check.problems[0] ?? 'no version'}`, hint);
  const tooOld = check.problems.find((p) => p.includes('too old'));
  if (tooOld) throw new HoneError('BAD_REQUEST', tooOld, hint);
}

export function createSettingsHandlers(ctx: CoreContext): Pick<RequestHandlers, 'settings.get' | 'settings.set'> {
  // An older Hone kept the Hugging Face token in settings.json: move it to the secrets store, then drop it there.
  let migrated: Promise<void> = Promise.resolve();
  const legacy = ctx.settings.legacyHfToken;
  if (legacy) {
    migrated = setHubToken(ctx, legacy)
      .catch(() => undefined) // an unusable token is dropped either way
      .then(() => {
        ctx.settings.legacyHfToken = null;
        ctx.settings.save();
      });
  }
  return {
    'settings.get': async () => {
      await migrated;
      return ctx.settings.get();
    },
    'settings.set': async (patch: SettingsPatch) => {
      await migrated;
      const { hfToken, confirmPythonPath, evalCost, ...rest } = patch;
      const change = evalCost ? { ...rest, evalCost: { ...DEFAULT_COSTS, ...ctx.settings.get().evalCost, ...evalCost } } : rest;
      if (change.pythonPath !== undefined && change.pythonPath !== null && change.pythonPath !== ctx.settings.get().pythonPath) {
        if (confirmPythonPath !== true) {
          throw new HoneError('BAD_REQUEST', 'Changing the Python Hone runs needs the user\'s confirmation.', 'Confirm the change in Settings (it sends confirmPythonPath: true).');
        }
        await checkChosenPython(ctx, change.pythonPath);
      }
      // The token never touches settings.json: only the secrets store (keychain or a 0600 file) keeps it.
      if (hfToken !== undefined) await setHubToken(ctx, hfToken);
      return ctx.settings.set(checkHubSettings(change, ctx.env));
    },
  };
}
