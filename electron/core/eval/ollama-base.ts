/**
 * The base model in Ollama, for the Ollama leg of an evaluation. Like the Chat page's side by side, the
 * catalogue's Ollama model of the base (e.g. llama3.2:1b) is used when Ollama has it; a run sent as a
 * LoRA adapter names its base itself. Otherwise the base folder is sent to Ollama the way the run was
 * (Send to Ollama's own code: same template, same quantisation), as hone-base-<folder>:<quantisation>,
 * so base and tuned differ only by the fine-tune. A later evaluation reuses it.
 */
import path from 'node:path';
import type { Quantization } from '../../shared/types/ollama';
import type { OllamaExportRecord } from '../../shared/types/runs';
import type { CoreContext } from '../context';
import { catalogFacts } from '../ollama/catalog-entry';
import { listModels, type OllamaConnection } from '../ollama/client';
import { QUANTIZATIONS, sendToOllama } from '../ollama/export';
import { getDigestCache } from '../ollama/handlers';
import { getRunAccess } from '../ollama/run-source';
import type { ExportProgress } from '../../shared/types/ollama';
import type { EvalTarget } from './source';

export interface BaseModel {
  name: string;
  source: 'catalogue' | 'created';
}

/** "hone-base-smollm2-135m-instruct:q8_0": a valid Ollama name from any folder name. */
export function baseModelName(baseModelPath: string, quantize: Quantization): string {
  const slug = path.basename(path.resolve(baseModelPath)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 60) || 'model';
  return `hone-base-${slug}:${quantize.toLowerCase()}`;
}

export async function ensureBaseInOllama(ctx: CoreContext, conn: OllamaConnection, target: EvalTarget, tunedExport: OllamaExportRecord | null, onProgress?: (p: ExportProgress) => void): Promise<BaseModel> {
  const models = await listModels(conn);
  const has = (name: string) => models.some((m) => m.name === (name.includes(':') ? name : `${name}:latest`));
  const adapterBase = /^adapter on (.+)$/.exec(tunedExport?.quantize ?? '')?.[1];
  if (adapterBase && has(adapterBase)) return { name: adapterBase, source: 'catalogue' };
  const catalogueBase = catalogFacts(ctx.paths.resourcesDir, target.modelRef)?.ollamaBase ?? null;
  if (catalogueBase && has(catalogueBase)) return { name: catalogueBase, source: 'catalogue' };

  const q = (QUANTIZATIONS as readonly string[]).includes(tunedExport?.quantize ?? '') ? (tunedExport!.quantize as Quantization) : 'q4_K_M';
  const name = baseModelName(target.baseModelPath, q);
  if (has(name)) return { name, source: 'created' };
  await sendToOllama(
    { run: target.baseModelPath, name, quantize: q },
    { baseUrl: conn.baseUrl, client: conn.client, access: getRunAccess(ctx), resourcesDir: ctx.paths.resourcesDir, digests: getDigestCache(ctx), emit: (p) => onProgress?.(p) },
  );
  return { name, source: 'created' };
}
