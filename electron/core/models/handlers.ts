import type { RequestHandlers } from '../../shared/contract';
import type { CoreContext } from '../context';
import type { DownloadDeps } from './downloader';
import { listLocal } from './local';
import { downloadsFor } from './manager';
import { hubToken, secretsFor, setHubToken } from './token';

type ModelChannels = 'models.download' | 'models.cancelDownload' | 'models.local' | 'models.setToken' | 'models.tokenStatus';

export function createModelHandlers(ctx: CoreContext, deps?: DownloadDeps): Pick<RequestHandlers, ModelChannels> {
  const downloads = () => downloadsFor(ctx, deps);
  return {
    'models.download': async ({ model }) => ({ path: (await downloads().download(model)).path }),
    'models.cancelDownload': async ({ model }) => ({ cancelled: downloads().cancel(model) }),
    'models.local': async () => listLocal(ctx.paths.dataDir),
    'models.setToken': async ({ token }) => {
      await setHubToken(ctx, token);
      return { hasToken: (await hubToken(ctx)) !== null };
    },
    'models.tokenStatus': async () => ({ hasToken: (await hubToken(ctx)) !== null, storage: secretsFor(ctx).kind }),
  };
}
