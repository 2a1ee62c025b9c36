/** What a `model` argument names: a catalogue id, a Hub repo id (owner/name), or a local folder. */
import fs from 'node:fs';
import path from 'node:path';
import { pickRepo, type RepoPlan } from '../../shared/model-repo';
import { HoneError } from '../../shared/errors';
import type { ModelSpec } from '../../shared/types/model';
import type { CoreContext } from '../context';
import { getCatalog } from '../catalog/catalog';
import { isRepoId } from './hub';

export type ModelTarget = { kind: 'local'; path: string; spec: ModelSpec | null } | { kind: 'hub'; repo: string; spec: ModelSpec | null };

export function catalogueEntry(ctx: CoreContext, id: string): ModelSpec | null {
  try {
    return getCatalog(ctx).find((m) => m.id === id) ?? null;
  } catch {
    return null; // a damaged catalogue must not stop downloads by repo id or local folders
  }
}

// Only explicit paths count as folders here, so "owner/name" stays a Hub repo id.
function localFolder(p: string): string | null {
  if (p.startsWith('local:')) return p.slice('local:'.length);
  if (path.isAbsolute(p) || p.startsWith('./') || p.startsWith('../') || p.startsWith('~')) return p;
  return null;
}

/**
 * Without a plan a catalogue id means its 16-bit repo (pickRepo's answer for "no QLoRA on CUDA"), the
 * one that loads everywhere; callers that know the plan pass it, or pass the repo id itself.
 */
export function resolveModel(ctx: CoreContext, model: string, plan: RepoPlan | null = null): ModelTarget {
  const folder = localFolder(model);
  if (folder !== null) {
    const dir = path.resolve(folder);
    if (!fs.existsSync(path.join(dir, 'config.json'))) {
      throw new HoneError('MODEL_NOT_FOUND', `No config.json in ${dir}, so it is not a model folder.`, 'Pick the folder that holds config.json and the .safetensors files.');
    }
    return { kind: 'local', path: dir, spec: null };
  }
  if (isRepoId(model)) return { kind: 'hub', repo: model, spec: null };
  const spec = catalogueEntry(ctx, model);
  if (!spec) {
    throw new HoneError('MODEL_NOT_FOUND', `No catalogue model "${model}".`, 'Use a catalogue id (see the Model step or `hone plan --help`), a Hub repo id (owner/name), or a local folder.');
  }
  if (spec.localPath) return { kind: 'local', path: spec.localPath, spec };
  const repo = pickRepo(spec, plan);
  if (!repo) {
    throw new HoneError('BAD_REQUEST', `${spec.name} is not downloaded from the Hub${spec.demo ? ': Hone builds it on this machine' : ''}.`, spec.demo ? 'Start the demo from the welcome page.' : undefined);
  }
  return { kind: 'hub', repo, spec };
}
