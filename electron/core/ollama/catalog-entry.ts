/**
 * The catalogue facts an export needs about a run's base model: whether Ollama imports it, which Ollama model
 * is the same base (for adapters and side-by-side chat), and its chat template family. Read straight from
 * resources/models.json so this domain does not depend on how the catalogue service is wired.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ModelSpec } from '../../shared/types/model';

export type CatalogFacts = Pick<ModelSpec, 'id' | 'chatTemplate' | 'ollamaImport' | 'architecture'> & { ollamaBase: string | null };

export function catalogFacts(resourcesDir: string, modelId: string | null): CatalogFacts | null {
  if (!modelId) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.join(resourcesDir, 'models.json'), 'utf8'));
  } catch {
    return null;
  }
  // The catalogue is a list, or an object holding one under `models`.
  const list = Array.isArray(raw) ? raw : Array.isArray((raw as { models?: unknown })?.models) ? (raw as { models: unknown[] }).models : [];
  const hit = (list as Partial<ModelSpec>[]).find((m) => m && (m.id === modelId || m.hfId === modelId));
  if (!hit || typeof hit.id !== 'string') return null;
  return {
    id: hit.id,
    chatTemplate: hit.chatTemplate as ModelSpec['chatTemplate'],
    ollamaImport: hit.ollamaImport !== false,
    architecture: typeof hit.architecture === 'string' ? hit.architecture : '',
    ollamaBase: typeof hit.ollamaBase === 'string' && hit.ollamaBase ? hit.ollamaBase : null,
  };
}
