/**
 * The catalogue facts an export needs about a run's base model: whether Ollama imports it, which Ollama model
 * is the same base (for adapters and side-by-side chat), and its chat template family.
 */
import type { ModelSpec } from '../../shared/types/model';
import { loadCatalog } from '../catalog/catalog';

export type CatalogFacts = Pick<ModelSpec, 'id' | 'chatTemplate' | 'ollamaImport' | 'architecture'> & { ollamaBase: string | null; ollamaImportNote: string | null };

/** Null for a local folder or an unknown id: the folder's own config and tokenizer then decide. */
export function catalogFacts(resourcesDir: string, modelId: string | null): CatalogFacts | null {
  if (!modelId) return null;
  let hit: ModelSpec | undefined;
  try {
    hit = loadCatalog(resourcesDir).find((m) => m.id === modelId || m.hfId === modelId);
  } catch {
    return null; // a damaged catalogue must not block exporting a run whose folder says everything needed
  }
  if (!hit) return null;
  return {
    id: hit.id,
    chatTemplate: hit.chatTemplate,
    ollamaImport: hit.ollamaImport,
    ollamaImportNote: hit.ollamaImportNote ?? null,
    architecture: hit.architecture,
    ollamaBase: hit.ollamaBase ?? null,
  };
}
