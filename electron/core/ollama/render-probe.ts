/**
 * Asks a real Ollama what it feeds the model for a conversation. From 0.11.5, /api/chat with
 * `_debug_render_only` answers with the rendered prompt text. Older servers ignore the field and run the
 * model: with num_predict 1 their prompt_eval_count is the number of prompt tokens (every runner up to 0.11.4
 * counts len(inputs), the whole prompt, cache or not). One request does both: whichever the server answers.
 */
import type { ChatMessageLike } from './hf-template';

export interface ProbeConversation {
  name: string;
  messages: ChatMessageLike[];
}

/** No system message, with one, multi-turn, both; all end on a user turn. Plain ASCII, no edge whitespace. */
export const PROBE_CONVERSATIONS: ProbeConversation[] = [
  { name: 'no system message', messages: [{ role: 'user', content: 'What is the capital of France?' }] },
  { name: 'with a system message', messages: [{ role: 'system', content: 'You answer in one short sentence.' }, { role: 'user', content: 'Name a primary colour.' }] },
  {
    name: 'multi-turn',
    messages: [
      { role: 'user', content: 'Hello there.' },
      { role: 'assistant', content: 'Hi! How can I help?' },
      { role: 'user', content: 'Tell me a fact about owls.' },
    ],
  },
  {
    name: 'system and multi-turn',
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Count to three.' },
      { role: 'assistant', content: 'One, two, three.' },
      { role: 'user', content: 'Now backwards.' },
    ],
  },
];

export type OllamaRender = { kind: 'text'; text: string } | { kind: 'tokens'; count: number };

export async function renderThroughOllama(baseUrl: string, model: string, messages: ChatMessageLike[], signal?: AbortSignal): Promise<OllamaRender> {
  const res = await fetch(`${baseUrl}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, messages, stream: false, _debug_render_only: true, options: { num_predict: 1, temperature: 0 } }),
    signal,
  });
  const body = (await res.json().catch(() => ({}))) as { error?: string; _debug_info?: { rendered_template?: string }; prompt_eval_count?: number };
  if (!res.ok || body.error) throw new Error(body.error ?? `HTTP ${res.status}`);
  const text = body._debug_info?.rendered_template;
  if (typeof text === 'string') return { kind: 'text', text };
  if (typeof body.prompt_eval_count === 'number') return { kind: 'tokens', count: body.prompt_eval_count };
  throw new Error('Ollama answered with neither the rendered prompt nor a prompt token count.');
}

/** GGUF facts from /api/show that decide whether the tokenizer adds BOS by itself. */
export async function tokenizerFacts(baseUrl: string, model: string, signal?: AbortSignal): Promise<{ autoBos: boolean; explicit: boolean }> {
  const res = await fetch(`${baseUrl}/api/show`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ model }), signal });
  const info = ((await res.json().catch(() => ({}))) as { model_info?: Record<string, unknown> }).model_info ?? {};
  const flag = info['tokenizer.ggml.add_bos_token'];
  if (typeof flag === 'boolean') return { autoBos: flag, explicit: true };
  // No key: llama.cpp's defaults (llama-vocab.cpp): SentencePiece adds BOS, and so do Llama 3's BPE pre-tokenizers.
  const kind = info['tokenizer.ggml.model'];
  const pre = String(info['tokenizer.ggml.pre'] ?? '');
  const autoBos = kind === 'llama' || kind === 'bert' || (kind === 'gpt2' && ['llama3', 'llama-v3', 'llama-bpe', 'falcon3', 'pixtral'].includes(pre));
  return { autoBos, explicit: false };
}
