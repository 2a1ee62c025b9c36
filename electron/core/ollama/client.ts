/**
 * The official `ollama` client for what it covers (version, list, show, delete, chat), pointed at the host from
 * settings (which already prefers OLLAMA_HOST), and the status the UI shows.
 */
import { Ollama } from 'ollama';
import { HoneError } from '../../shared/errors';
import type { OllamaModelDetails, OllamaModelInfo, OllamaStatus } from '../../shared/types/ollama';
import type { CoreContext } from '../context';
import { MIN_OLLAMA, versionAtLeast } from './architectures';
import { OLLAMA_START_HINT, toOllamaError } from './errors';
import { ollamaBaseUrl } from './host';

export interface OllamaConnection {
  baseUrl: string;
  client: Ollama;
}

export function connect(ctx: CoreContext): OllamaConnection {
  const baseUrl = ollamaBaseUrl(ctx.settings.get().ollamaHost);
  return { baseUrl, client: new Ollama({ host: baseUrl }) };
}

/** Asks /api/version twice before saying "not running": one lost connection (a keep-alive socket closed under us) is not an outage. */
export async function ollamaStatus(baseUrl: string, timeoutMs = 5000): Promise<OllamaStatus> {
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // A timeout of our own: the status line must not hang when a firewall swallows the port.
      const res = await fetch(`${baseUrl}/api/version`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) return { running: false, host: baseUrl, version: null, hint: `Something answers at ${baseUrl} but it is not Ollama (HTTP ${res.status}). Check the Ollama host in Settings.` };
      const { version } = (await res.json()) as { version?: string };
      const v = version ?? null;
      if (!versionAtLeast(v, MIN_OLLAMA)) {
        return { running: true, host: baseUrl, version: v, hint: `Hone needs Ollama ${MIN_OLLAMA} or newer (this is ${v}). Update it from https://ollama.com/download.` };
      }
      return { running: true, host: baseUrl, version: v };
    } catch (err) {
      lastError = err;
    }
  }
  const timedOut = (lastError as Error | null)?.name === 'TimeoutError';
  return { running: false, host: baseUrl, version: null, hint: timedOut ? `Ollama at ${baseUrl} did not answer within ${timeoutMs / 1000} s. If it is busy, try again; otherwise restart it (\`ollama serve\`).` : OLLAMA_START_HINT };
}

export async function listModels(conn: OllamaConnection): Promise<OllamaModelInfo[]> {
  try {
    const { models } = await conn.client.list();
    return models.map((m) => ({
      name: m.name,
      size: m.size,
      digest: m.digest,
      modifiedAt: m.modified_at instanceof Date ? m.modified_at.toISOString() : String(m.modified_at),
    }));
  } catch (err) {
    throw toOllamaError(err, conn.baseUrl, 'listing models');
  }
}

/** Capabilities (thinking, tools, ...) and the weights' family; an unknown model is MODEL_NOT_FOUND. */
export async function showModel(conn: OllamaConnection, model: string): Promise<OllamaModelDetails> {
  try {
    const info = (await conn.client.show({ model })) as { capabilities?: string[]; details?: { family?: string } };
    return { capabilities: Array.isArray(info.capabilities) ? info.capabilities : [], family: info.details?.family ?? null };
  } catch (err) {
    if (/not found/i.test(err instanceof Error ? err.message : String(err))) throw new HoneError('MODEL_NOT_FOUND', `Ollama has no model named ${model}.`, 'Pick a model from the list.');
    throw toOllamaError(err, conn.baseUrl, `reading ${model}`);
  }
}
