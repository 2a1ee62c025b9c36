/**
 * Picks how a run reaches Ollama, before anything is hashed or uploaded:
 *  - merged: the merged 16-bit safetensors, converted and quantised by Ollama (any quantisation);
 *  - adapter: the LoRA on top of the same base already in Ollama (small and fast; the base's quantisation).
 * Merged wins when Ollama can import the architecture; otherwise the adapter route when it applies; otherwise
 * UNSUPPORTED_ARCH naming the routes that would work.
 */
import type { Ollama } from 'ollama';
import { HoneError } from '../../shared/errors';
import type { ChatTemplateFamily } from '../../shared/types/model';
import { ADAPTER_BASE_FAMILIES, checkImportable, ollamaFamilyOf } from './architectures';
import type { CatalogFacts } from './catalog-entry';
import type { ModelFolder, RunOutputs } from './model-folder';

export type ExportRoute = { kind: 'merged'; folder: ModelFolder; family: ChatTemplateFamily } | { kind: 'adapter'; folder: ModelFolder; base: string; family: ChatTemplateFamily };

/** The Ollama family of the base (e.g. "llama"), or null when the base is not in Ollama. */
async function baseFamily(client: Ollama, base: string): Promise<string | null> {
  try {
    const info = await client.show({ model: base });
    return info.details?.family ?? null;
  } catch {
    return null;
  }
}

function ggufRoute(dir: string): string {
  return `convert ${dir} to GGUF with llama.cpp (convert_hf_to_gguf.py), then \`ollama create <name>\` from a Modelfile whose FROM is the .gguf`;
}

function noFamily(): HoneError {
  return new HoneError('NOT_EXPORTABLE', 'Hone cannot tell which chat template this model uses (the tokenizer has none and the catalogue does not know the model).', 'Add a chat_template to tokenizer_config.json in the run folder, then send again.');
}

export async function chooseRoute(outputs: RunOutputs, facts: CatalogFacts | null, ollamaVersion: string | null, client: Ollama): Promise<ExportRoute> {
  const { merged, adapter } = outputs;
  if (!merged && !adapter) {
    throw new HoneError('NOT_EXPORTABLE', 'This run has no merged model and no adapter to send.', 'Only a finished run can be sent; if it finished, its folder was changed — train again or restore it.');
  }
  const catalogFamily = facts?.chatTemplate ?? null;
  const reasons: string[] = [];
  if (merged) {
    const check = checkImportable(merged, ollamaVersion, facts);
    if (check.ok) {
      const family = merged.family ?? catalogFamily;
      if (!family) throw noFamily();
      return { kind: 'merged', folder: merged, family };
    }
    reasons.push(check.reason);
  } else {
    reasons.push('The run has no merged model (it was not merged at the end of training).');
  }
  const base = facts?.ollamaBase ?? null;
  let baseFam: string | null = null;
  if (adapter && base) {
    const fam = await baseFamily(client, base);
    baseFam = fam;
    const family = adapter.family ?? merged?.family ?? catalogFamily;
    if (fam && ADAPTER_BASE_FAMILIES.includes(fam) && family) return { kind: 'adapter', folder: adapter, base, family };
    if (!fam) reasons.push(`The base model ${base} is not in Ollama, so the adapter cannot go on top of it.`);
    else if (!ADAPTER_BASE_FAMILIES.includes(fam)) reasons.push(`Ollama applies LoRA adapters only to ${ADAPTER_BASE_FAMILIES.join(' and ')} models, not ${fam}.`);
  }
  const routes: string[] = [];
  // Pulling the base helps only if Ollama applies adapters to its family: the family Ollama reports for it, or,
  // while it is not pulled, the family its weights convert to.
  const pullFamily = baseFam ?? ollamaFamilyOf(facts?.architecture ?? merged?.architecture ?? null);
  if (adapter && base && !baseFam && pullFamily && ADAPTER_BASE_FAMILIES.includes(pullFamily)) routes.push(`\`ollama pull ${base}\` and send again (Hone then sends the small LoRA adapter onto it)`);
  if (merged) routes.push(ggufRoute(merged.dir));
  else routes.push('train again with "merge at the end" on, then send the merged model');
  throw new HoneError('UNSUPPORTED_ARCH', reasons.join(' '), `What works: ${routes.join('; or ')}.`);
}
