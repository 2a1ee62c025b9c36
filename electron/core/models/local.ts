/** Which models are already on disk, for the UI (models.local) and for code that starts a training. */
import fs from 'node:fs';
import path from 'node:path';
import type { RepoPlan } from '../../shared/model-repo';
import { pickRepo } from '../../shared/model-repo';
import type { CoreContext } from '../context';
import { readMarker } from './downloader';
import { isRepoId, repoDir } from './hub';
import { catalogueEntry, resolveModel } from './resolve';

export interface LocalModel {
  /** The Hub repo id it was downloaded from. */
  model: string;
  path: string;
  sizeBytes: number;
  /** Where it came from: the Hub, or (the demo only) PyPI's wheel converted here. */
  source?: 'hub' | 'pypi';
}

/** Only complete downloads count: a folder without the marker is still being (or was partly) fetched. */
export function listLocal(dataDir: string): LocalModel[] {
  const root = path.join(dataDir, 'models', 'hf');
  const out: LocalModel[] = [];
  const dirs = (p: string) => (fs.existsSync(p) ? fs.readdirSync(p, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : []);
  for (const owner of dirs(root)) {
    for (const name of dirs(path.join(root, owner))) {
      const dir = path.join(root, owner, name);
      const marker = readMarker(dir);
      if (marker) out.push({ model: marker.repo, path: dir, sizeBytes: marker.sizeBytes });
    }
  }
  return out.sort((a, b) => a.model.localeCompare(b.model));
}

/**
 * The folder to load `modelId` from, or null when it still has to be downloaded. With a plan, the repo
 * that plan trains (pickRepo); for QLoRA on CUDA the 16-bit repo also serves when that is the one on disk,
 * since bitsandbytes quantises it at load time.
 */
export function modelPathFor(ctx: CoreContext, modelId: string, plan: RepoPlan | null = null): string | null {
  if (isRepoId(modelId)) return readMarker(repoDir(ctx.paths.dataDir, modelId)) ? repoDir(ctx.paths.dataDir, modelId) : null;
  const spec = catalogueEntry(ctx, modelId);
  if (!spec) {
    try {
      const t = resolveModel(ctx, modelId, plan);
      return t.kind === 'local' ? t.path : null;
    } catch {
      return null;
    }
  }
  if (spec.localPath) return fs.existsSync(path.join(spec.localPath, 'config.json')) ? spec.localPath : null;
  const candidates = [pickRepo(spec, plan), plan?.device === 'cuda' ? spec.hfId : null];
  for (const repo of candidates) {
    if (repo && readMarker(repoDir(ctx.paths.dataDir, repo))) return repoDir(ctx.paths.dataDir, repo);
  }
  return null;
}
