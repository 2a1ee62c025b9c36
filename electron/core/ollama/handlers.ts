import path from 'node:path';
import type { RequestHandlers } from '../../shared/contract';
import { perContext, type CoreContext } from '../context';
import { ChatSessions } from './chat';
import { connect, listModels, ollamaStatus, showModel } from './client';
import { DigestCache } from './digest-cache';
import { sendToOllama } from './export';
import { getRunAccess, getRunAccessByIdOnly } from './run-source';

type OllamaChannels = 'ollama.status' | 'ollama.list' | 'ollama.send' | 'ollama.chat' | 'ollama.chatStop' | 'ollama.show';

const chats = perContext((ctx) => {
  const sessions = new ChatSessions((chunk) => ctx.bus.emit('ollama.chat', chunk));
  ctx.onClose(() => sessions.stopAll());
  return sessions;
});

export const getDigestCache = perContext((ctx) => new DigestCache(path.join(ctx.paths.dataDir, 'cache', 'ollama-digests.json')));

/**
 * `runFolders: true` lets ollama.send take a run folder as well as a run id: for in-process callers that
 * speak for the user (tests, scripts). The app's core (createCore) keeps the default, ids only.
 */
export function createOllamaHandlers(ctx: CoreContext, opts: { runFolders?: boolean } = {}): Pick<RequestHandlers, OllamaChannels> {
  const access = () => (opts.runFolders ? getRunAccess(ctx) : getRunAccessByIdOnly(ctx));
  return {
    'ollama.status': async () => ollamaStatus(connect(ctx).baseUrl),
    'ollama.list': async () => listModels(connect(ctx)),
    'ollama.send': async (p) => {
      const { baseUrl, client } = connect(ctx);
      const r = await sendToOllama(
        { run: p.runId, name: p.name, quantize: p.quantize, system: p.system, overwrite: p.overwrite },
        { baseUrl, client, access: access(), resourcesDir: ctx.paths.resourcesDir, digests: getDigestCache(ctx), emit: (e) => ctx.bus.emit('ollama.progress', e) },
      );
      return { exportId: r.exportId, name: r.name, digest: r.digest, templateCheck: r.check.summary };
    },
    'ollama.chat': async (p) => chats(ctx).chat(connect(ctx).baseUrl, p),
    'ollama.chatStop': async (p) => ({ stopped: chats(ctx).stop(p.requestId) }),
    'ollama.show': async (p) => showModel(connect(ctx), p.model),
  };
}
