/**
 * The official `ollama` client for what it covers (version, list, show, delete, chat), pointed at the host from
 * settings (which already prefers OLLAMA_HOST), and the status the UI shows.
 */
import { Ollama } from 'ollama';
import type { OllamaModelInfo, OllamaStatus } from '../../shared/types/ollama';
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

const STATUS_TIMEOUT_MS = 3000;

export async function ollamaStatus(baseUrl: string): Promise<OllamaStatus> {
  try {
    // Plain fetch with a short timeout: the status line must not hang when a firewall swallows the port.
    const res = await fetch(`${baseUrl}/api/version`, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
    if (!res.ok) return { running: false, host: baseUrl, version: null, hint: `Something answers at ${baseUrl} but it is not Ollama (HTTP ${res.status}). Check the Ollama host in Settings.` };
    const { version } = (await res.json()) as { version?: string };
    const v = version ?? null;
    if (!versionAtLeast(v, MIN_OLLAMA)) {
      return { running: true, host: baseUrl, version: v, hint: `Hone needs Ollama ${MIN_OLLAMA} or newer (this is ${v}). Update it from https://ollama.com/download.` };
    }
    return { running: true, host: baseUrl, version: v };
  } catch {
    return { running: false, host: baseUrl, version: null, hint: OLLAMA_START_HINT };
  }
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
