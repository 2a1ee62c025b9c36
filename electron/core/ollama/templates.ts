/**
 * Ollama chat templates (Go text/template) and stop words per chat-template family.
 *
 * Why we always send our own: when Ollama imports safetensors it guesses a template from the tokenizer, and a
 * wrong guess is the classic "my fine-tune talks gibberish" bug. Each template renders ONLY from
 * `range .Messages`: Ollama puts the system prompt (the model's SYSTEM or the request's) into .Messages as a
 * system message, so a template that also printed `.System` would say it twice.
 *
 * Each template ends with the assistant header (the generation prompt) unless the conversation already ends
 * with an assistant turn, which Ollama treats as a prefix to continue.
 */
import type { ChatTemplateFamily } from '../../shared/types/model';

export interface ChatFormat {
  family: ChatTemplateFamily;
  template: string;
  stop: string[];
}

// `$last` is true on the final message; `slice $.Messages $i` is the tail from i.
const LAST = '{{- $last := eq (len (slice $.Messages $i)) 1 }}';

const CHATML = `{{- range $i, $_ := .Messages }}
${LAST}<|im_start|>{{ .Role }}
{{ .Content }}{{ if or (ne .Role "assistant") (not $last) }}<|im_end|>
{{ end }}
{{- if and $last (ne .Role "assistant") }}<|im_start|>assistant
{{ end }}
{{- end }}`;

// BOS (<|begin_of_text|>) is added by the tokenizer, as in Ollama's own llama3 templates.
const LLAMA3 = `{{- range $i, $_ := .Messages }}
${LAST}<|start_header_id|>{{ .Role }}<|end_header_id|>

{{ .Content }}{{ if or (ne .Role "assistant") (not $last) }}<|eot_id|>{{ end }}
{{- if and $last (ne .Role "assistant") }}<|start_header_id|>assistant<|end_header_id|>

{{ end }}
{{- end }}`;

// Mistral and Gemma have no system turn: the system text goes before the next user message, as their
// Hugging Face templates do. `$system` is reassigned inside the range (Go templates allow `=` on outer vars).
const MISTRAL = `{{- $system := "" }}
{{- range $i, $_ := .Messages }}
${LAST}
{{- if eq .Role "system" }}{{ $system = .Content }}
{{- else if eq .Role "user" }}[INST] {{ if $system }}{{ $system }}

{{ $system = "" }}{{ end }}{{ .Content }}[/INST]
{{- else if eq .Role "assistant" }} {{ .Content }}{{ if not $last }}</s>{{ end }}
{{- end }}
{{- end }}`;

const GEMMA = `{{- $system := "" }}
{{- range $i, $_ := .Messages }}
${LAST}
{{- if eq .Role "system" }}{{ $system = .Content }}
{{- else if eq .Role "user" }}<start_of_turn>user
{{ if $system }}{{ $system }}

{{ $system = "" }}{{ end }}{{ .Content }}<end_of_turn>
{{ if $last }}<start_of_turn>model
{{ end }}
{{- else if eq .Role "assistant" }}<start_of_turn>model
{{ .Content }}{{ if not $last }}<end_of_turn>
{{ end }}
{{- end }}
{{- end }}`;

const PHI3 = `{{- range $i, $_ := .Messages }}
${LAST}<|{{ .Role }}|>
{{ .Content }}{{ if or (ne .Role "assistant") (not $last) }}<|end|>
{{ end }}
{{- if and $last (ne .Role "assistant") }}<|assistant|>
{{ end }}
{{- end }}`;

const PHI4 = `{{- range $i, $_ := .Messages }}
${LAST}<|im_start|>{{ .Role }}<|im_sep|>{{ .Content }}{{ if or (ne .Role "assistant") (not $last) }}<|im_end|>{{ end }}
{{- if and $last (ne .Role "assistant") }}<|im_start|>assistant<|im_sep|>{{ end }}
{{- end }}`;

export const CHAT_FORMATS: Record<ChatTemplateFamily, ChatFormat> = {
  chatml: { family: 'chatml', template: CHATML, stop: ['<|im_start|>', '<|im_end|>'] },
  llama3: { family: 'llama3', template: LLAMA3, stop: ['<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'] },
  mistral: { family: 'mistral', template: MISTRAL, stop: ['[INST]', '[/INST]', '</s>'] },
  gemma: { family: 'gemma', template: GEMMA, stop: ['<start_of_turn>', '<end_of_turn>'] },
  phi3: { family: 'phi3', template: PHI3, stop: ['<|end|>', '<|user|>', '<|assistant|>', '<|system|>', '<|endoftext|>'] },
  phi4: { family: 'phi4', template: PHI4, stop: ['<|im_start|>', '<|im_end|>', '<|im_sep|>'] },
};

/**
 * The family of a Hugging Face Jinja chat template, from the markers only that family uses. Order matters:
 * Phi-4 also uses <|im_start|>, so its <|im_sep|> is tested before ChatML.
 */
export function detectFamily(jinja: string | null | undefined): ChatTemplateFamily | null {
  if (!jinja) return null;
  if (jinja.includes('<|im_sep|>')) return 'phi4';
  if (jinja.includes('<|im_start|>')) return 'chatml';
  if (jinja.includes('<|start_header_id|>')) return 'llama3';
  if (jinja.includes('<start_of_turn>')) return 'gemma';
  if (jinja.includes('<|assistant|>') && jinja.includes('<|end|>')) return 'phi3';
  if (jinja.includes('[INST]')) return 'mistral';
  return null;
}
