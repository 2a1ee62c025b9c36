/** Which chat-template family a tokenizer's Jinja template belongs to, from the markers each family uses. */
import type { ChatTemplateFamily } from '../../shared/types/model';

export function guessTemplateFamily(template: string | null, modelType: string, vocabSize: number): { family: ChatTemplateFamily; fromTemplate: boolean } {
  if (template) {
    if (template.includes('<|start_header_id|>')) return { family: 'llama3', fromTemplate: true };
    if (template.includes('<|im_sep|>')) return { family: 'phi4', fromTemplate: true };
    if (template.includes('<|im_start|>')) return { family: 'chatml', fromTemplate: true };
    if (template.includes('<start_of_turn>')) return { family: 'gemma', fromTemplate: true };
    // Phi-3.5 and Phi-4-mini share <|user|> ... <|end|>; Phi-4-mini has the 200K o200k vocabulary.
    if (template.includes('<|user|>') && template.includes('<|end|>')) return { family: vocabSize >= 200_000 ? 'phi4' : 'phi3', fromTemplate: true };
    if (template.includes('[INST]')) return { family: 'mistral', fromTemplate: true };
  }
  const byType: Record<string, ChatTemplateFamily> = { gemma: 'gemma', gemma2: 'gemma', gemma3: 'gemma', gemma3_text: 'gemma', mistral: 'mistral', phi3: vocabSize >= 200_000 ? 'phi4' : 'phi3' };
  if (modelType === 'llama' && vocabSize >= 128_000) return { family: 'llama3', fromTemplate: false };
  // Anything else gets ChatML, the template the sidecar gives tokenizers that have none.
  return { family: byType[modelType] ?? 'chatml', fromTemplate: false };
}

/** tokenizer_config.json's chat_template is a string or a list of {name, template}; we want the default one. */
export function pickChatTemplate(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const named = value as { name?: unknown; template?: unknown }[];
    const hit = named.find((t) => t.name === 'default') ?? named[0];
    return typeof hit?.template === 'string' ? hit.template : null;
  }
  return null;
}
