import type { RequestHandlers } from '../../shared/contract';
import type { CoreContext } from '../context';
import type { DownloadDeps } from './downloader';
import { listLocal } from './local';
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
  return {
    'models.download': async ({ model, revision, update }) => ({ path: (await downloads().download(model, { revision, update })).path }),
    'models.cancelDownload': async ({ model }) => ({ cancelled: downloads().cancel(model) }),
    'models.local': async () => listLocal(ctx),
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
