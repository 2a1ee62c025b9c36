/**
 * Whether `ollama create` can build a model from a safetensors folder of this architecture. Checked against
 * Ollama's converter at every release from 0.5.5 to 0.33 (convert/convert.go, ConvertModel's switch over config.json's architectures[0]).
 */
const IMPORTABLE = new Set([
  'LlamaForCausalLM',
  'MixtralForCausalLM',
  'GemmaForCausalLM',
  'Gemma2ForCausalLM',
  'Gemma3ForCausalLM',
  'Gemma3ForConditionalGeneration',
  'Phi3ForCausalLM',
  'Qwen2ForCausalLM',
]);

export function ollamaCanImport(architecture: string, config: { partial_rotary_factor?: unknown } = {}): { ok: boolean; note?: string } {
  if (!IMPORTABLE.has(architecture)) {
    return { ok: false, note: `Ollama's safetensors converter has no ${architecture} (checked against Ollama's converter, releases 0.5.5 to 0.33): Send to Ollama needs a GGUF export for this model.` };
  }
  // Ollama's phi3 converter sets the rotary width to the full head dimension (Phi-4-mini uses 0.75 of it).
  if (architecture === 'Phi3ForCausalLM' && typeof config.partial_rotary_factor === 'number' && config.partial_rotary_factor < 1) {
    return { ok: false, note: 'This Phi3-architecture model uses a partial rotary embedding that the phi3 converter of Ollama (0.5.5 to 0.33) does not read: the import would build a broken model.' };
  }
  return { ok: true };
}
