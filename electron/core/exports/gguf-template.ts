/**
 * What a GGUF file must say about its prompt for llama.cpp, LM Studio and anyone else who reads it.
 *
 * Hone's Ollama upload strips the chat template from the weights on purpose (upload-config.ts), so the model
 * layer Ollama holds has no tokenizer.chat_template and add_bos_token=false. A GGUF file for other programs
 * gets them back:
 *  - tokenizer.chat_template: the model's own Jinja template, rendered there as training rendered it. The
 *    day a template prints (Llama 3.x "Today Date: …") is fixed to the training day, as the Ollama export
 *    fixes it; {% generation %} markers (a transformers extension for assistant-only training) become no-ops;
 *    a template with a thinking switch is pinned to enable_thinking=false, the mode training rendered.
 *  - tokenizer.ggml.add_bos_token / add_eos_token: whether the tokenizer adds BOS/EOS to plain text, as
 *    transformers does (tokenizer_config.json's flags, else tokenizer.json's post-processor), which is what
 *    llama.cpp's converter writes. llama.cpp drops a BOS the template already printed when it adds one itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readTemplateSource, strftimeDay } from '../ollama/hf-template';
import { GGUFValueType, type MetadataPatch } from './gguf-file';

const GENERATION = /\{%(-?)\s*(?:end)?generation\s*(-?)%\}/g;
// strftime_now("…") or strftime_now('…') with a literal format: the call becomes the training day's text.
const STRFTIME = /\bstrftime_now\(\s*(?:"([^"\\]*)"|'([^'\\]*)')\s*\)/g;

export interface GgufTemplate {
  template: string;
  /** The training day the template prints, when it prints one. */
  date: string | null;
  /** A call Hone could not fix (a format that is not a literal): llama.cpp prints today's date there. */
  unfixedDate: boolean;
  thinkingOff: boolean;
}

export function ggufChatTemplate(source: string, date: string): GgufTemplate {
  let fixed = false;
  let template = source.replace(GENERATION, (_m, a: string, b: string) => `{{${a} '' ${b}}}`).replace(STRFTIME, (_m, dq: string | undefined, sq: string | undefined) => {
    fixed = true;
    return JSON.stringify(strftimeDay(date, dq ?? sq ?? ''));
  });
  const unfixedDate = /\bstrftime_now\s*\(/.test(template);
  const thinkingOff = /\benable_thinking\b/.test(template);
  if (thinkingOff) template = `{%- set enable_thinking = false %}\n${template}`;
  return { template, date: fixed ? date : null, unfixedDate, thinkingOff };
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

const tokenText = (v: unknown): string | null => (typeof v === 'string' ? v : v && typeof v === 'object' && 'content' in v ? String((v as { content: unknown }).content) : null);

type Piece = { SpecialToken?: { id?: string }; Sequence?: unknown };

/** The TemplateProcessing of a tokenizer.json post-processor (alone or inside a Sequence). */
function templateProcessing(pp: unknown): { single?: Piece[] } | null {
  if (!pp || typeof pp !== 'object') return null;
  const p = pp as { type?: string; single?: Piece[]; processors?: unknown[] };
  if (p.type === 'TemplateProcessing') return p;
  if (p.type === 'Sequence' && Array.isArray(p.processors)) {
    for (const inner of p.processors) {
      const hit = templateProcessing(inner);
      if (hit) return hit;
    }
  }
  return null;
}

export interface SpecialsPolicy {
  addBos: boolean;
  addEos: boolean;
}

/** Whether the folder's tokenizer adds BOS/EOS to plain text, as transformers decides it. */
export function tokenizerSpecials(dir: string): SpecialsPolicy {
  const cfg = readJson(path.join(dir, 'tokenizer_config.json')) ?? {};
  const tp = templateProcessing(readJson(path.join(dir, 'tokenizer.json'))?.post_processor);
  const single = tp?.single ?? [];
  const first = single[0]?.SpecialToken?.id ?? null;
  const last = single.at(-1)?.SpecialToken?.id ?? null;
  const bos = tokenText(cfg.bos_token);
  const eos = tokenText(cfg.eos_token);
  const addBos = typeof cfg.add_bos_token === 'boolean' ? cfg.add_bos_token : !!bos && first === bos;
  const addEos = typeof cfg.add_eos_token === 'boolean' ? cfg.add_eos_token : !!eos && last === eos && single.length > 1;
  return { addBos: addBos && !!bos, addEos };
}

export interface GgufPrompt {
  patch: MetadataPatch;
  chatTemplate: string | null;
  addBos: boolean;
  template: GgufTemplate | null;
}

/** The metadata an exported GGUF gets from the run's tokenizer folder. */
export function ggufPrompt(opts: { tokenizerDir: string; date: string; name: string }): GgufPrompt {
  const source = readTemplateSource(opts.tokenizerDir);
  const template = source ? ggufChatTemplate(source, opts.date) : null;
  const { addBos, addEos } = tokenizerSpecials(opts.tokenizerDir);
  const patch: MetadataPatch = {
    'general.name': { type: GGUFValueType.STRING, value: opts.name },
    'tokenizer.ggml.add_bos_token': { type: GGUFValueType.BOOL, value: addBos },
    'tokenizer.ggml.add_eos_token': { type: GGUFValueType.BOOL, value: addEos },
    'tokenizer.chat_template': template ? { type: GGUFValueType.STRING, value: template.template } : null,
  };
  return { patch, chatTemplate: template?.template ?? null, addBos, template };
}
