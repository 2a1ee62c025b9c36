/**
 * Which architectures Ollama can import from safetensors, and from which release. Refusing up front (before
 * any upload) beats a 10 GB transfer ending in `unsupported architecture`. The table is conservative: an
 * architecture that converts in some releases only (MistralForCausalLM was dropped when Mistral 3 came;
 * Qwen3ForCausalLM's converter exists but is not wired in up to at least 0.11) is refused everywhere, with the
 * routes that do work.
 */
import { ollamaCanImport } from '../catalog/ollama-arch';
import type { ModelFolder } from './model-folder';

/** HF architecture → first Ollama release (0.5.5+ create API) whose importer converts it (convert/convert.go at each tag). */
const IMPORTABLE: Record<string, string> = {
  LlamaForCausalLM: '0.5.0',
  GemmaForCausalLM: '0.5.0',
  Gemma2ForCausalLM: '0.5.0',
  Phi3ForCausalLM: '0.5.0',
  MixtralForCausalLM: '0.5.0',
  Qwen2ForCausalLM: '0.5.6',
  Gemma3ForCausalLM: '0.6.0',
  Gemma3ForConditionalGeneration: '0.6.0',
};

/** The GGUF architecture (Ollama's details.family) a Hugging Face architecture converts to. */
const OLLAMA_FAMILY: Record<string, string> = {
  LlamaForCausalLM: 'llama',
  MistralForCausalLM: 'llama',
  MixtralForCausalLM: 'llama',
  GemmaForCausalLM: 'gemma',
  Gemma2ForCausalLM: 'gemma2',
  Gemma3ForCausalLM: 'gemma3',
  Gemma3ForConditionalGeneration: 'gemma3',
  Phi3ForCausalLM: 'phi3',
  Qwen2ForCausalLM: 'qwen2',
  Qwen3ForCausalLM: 'qwen3',
};

export function ollamaFamilyOf(architecture: string | null): string | null {
  return architecture ? (OLLAMA_FAMILY[architecture] ?? null) : null;
}

/** Base model families Ollama applies safetensors LoRA adapters to (convert.ConvertAdapter, every release 0.5.5-0.33). */
export const ADAPTER_BASE_FAMILIES = ['llama', 'gemma2'];

/**
 * The create API's JSON fields Hone uses (`files`, `from`, `adapters`, `template`, `system`, `parameters`)
 * arrived in 0.5.5; 0.5.0-0.5.4 answer "path or Modelfile are required", and only after every byte was sent.
 */
export const MIN_OLLAMA = '0.5.5';

/**
 * Compares dotted versions; a source build reports "0.0.0" and counts as newest (it is built from a
 * current tree far more often than from an old one).
 */
export function versionAtLeast(version: string | null, min: string): boolean {
  if (!version || version === '0.0.0') return true;
  const a = version.replace(/^v/, '').split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const b = min.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

export type ImportCheck = { ok: true } | { ok: false; reason: string };

/** catalog: the catalogue's verdict on the run's base model (null for a local folder). */
export function checkImportable(folder: ModelFolder, ollamaVersion: string | null, catalog: { ollamaImport: boolean; ollamaImportNote: string | null } | null): ImportCheck {
  const arch = folder.architecture;
  if (catalog && !catalog.ollamaImport) {
    return { ok: false, reason: catalog.ollamaImportNote ?? `Ollama cannot import ${arch ?? 'this architecture'} from safetensors.` };
  }
  if (!arch) return { ok: false, reason: 'config.json names no architecture, so Ollama cannot tell how to convert it.' };
  const since = IMPORTABLE[arch];
  if (!since) return { ok: false, reason: `Ollama cannot import ${arch} from safetensors.` };
  // The catalogue's per-model checks (e.g. Phi-4-mini's partial rotary embedding, which the phi3 converter
  // silently gets wrong) apply to local folders too.
  const quirk = ollamaCanImport(arch, folder.config ?? {});
  if (!quirk.ok) return { ok: false, reason: quirk.note ?? `Ollama cannot import ${arch} from safetensors.` };
  if (!versionAtLeast(ollamaVersion, since)) {
    return { ok: false, reason: `Ollama ${ollamaVersion} cannot import ${arch} from safetensors; Ollama ${since} or newer can. Update Ollama from https://ollama.com/download.` };
  }
  return { ok: true };
}
