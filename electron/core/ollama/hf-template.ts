/**
 * A model's own Hugging Face chat template, rendered as transformers renders it for training
 * (`apply_chat_template`): the special tokens from tokenizer_config.json, `raise_exception`, and a
 * `strftime_now` that always answers the same day. transformers' strftime_now prints the day the rows were
 * tokenised (Llama 3.2 writes "Today Date: 26 Jul 2024" style lines into every system header), so serving
 * must print that same day, not today's: we fix it to the run's training date.
 *
 * Qwen3-style templates are rendered with enable_thinking=false: training on a final reply without reasoning
 * put the empty <think></think> block into the trained text, and the non-thinking generation prompt is the
 * one that feeds exactly those tokens before the reply.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Template } from '@huggingface/jinja';

export interface ChatMessageLike {
  role: string;
  content: string;
}

export interface HfTemplate {
  source: string;
  /** bos_token, eos_token, pad_token, unk_token as text ('' when the tokenizer has none). */
  specials: Record<string, string>;
  /** Every special (control) token's text, from added_tokens_decoder. */
  specialTokens: string[];
  /** YYYY-MM-DD that strftime_now answers. */
  date: string;
  render(messages: ChatMessageLike[], addGenerationPrompt: boolean): string;
}

const GENERATION = /\{%(-?)\s*(?:end)?generation\s*(-?)%\}/g;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Python's strftime in the C locale for one calendar day (midnight), the codes chat templates use. */
export function strftimeDay(date: string, format: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  const pad = (n: number) => String(n).padStart(2, '0');
  return format.replace(/%[YmdbBaAHMSyej%]/g, (code) => {
    switch (code) {
      case '%Y': return String(y);
      case '%y': return pad(y % 100);
      case '%m': return pad(m);
      case '%d': return pad(d);
      case '%e': return String(d).padStart(2, ' ');
      case '%b': return MONTHS[m - 1].slice(0, 3);
      case '%B': return MONTHS[m - 1];
      case '%a': return DAYS[day.getUTCDay()].slice(0, 3);
      case '%A': return DAYS[day.getUTCDay()];
      case '%j': return String(Math.floor((day.getTime() - Date.UTC(y, 0, 1)) / 86_400_000) + 1).padStart(3, '0');
      case '%H': case '%M': case '%S': return '00';
      default: return '%';
    }
  });
}

/** The local calendar day of a moment, as Python's datetime.now() on that machine would print it. */
export function localDay(at: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

const tokenText = (v: unknown): string => (typeof v === 'string' ? v : v && typeof v === 'object' && 'content' in v ? String((v as { content: unknown }).content) : '');

export function hfTemplate(source: string, tokenizerConfig: Record<string, unknown>, date: string): HfTemplate {
  const specials = Object.fromEntries(['bos_token', 'eos_token', 'pad_token', 'unk_token'].map((k) => [k, tokenText(tokenizerConfig[k])]));
  const decoder = (tokenizerConfig.added_tokens_decoder ?? {}) as Record<string, { content?: string; special?: boolean }>;
  const specialTokens = [...new Set([...Object.values(decoder).filter((t) => t.special && t.content).map((t) => t.content as string), ...Object.values(specials).filter(Boolean)])];
  // @huggingface/jinja defines its own strftime_now (today, in the system locale) and refuses to have it
  // redefined, so the template calls ours under another name.
  const src = source.replace(GENERATION, (_m, a: string, b: string) => `{{${a} '' ${b}}}`).replace(/\bstrftime_now\b/g, 'hone_strftime_now');
  const tpl = new Template(src);
  return {
    source,
    specials,
    specialTokens,
    date,
    render: (messages, addGenerationPrompt) =>
      tpl.render({
        ...specials,
        messages,
        add_generation_prompt: addGenerationPrompt,
        enable_thinking: false,
        hone_strftime_now: (format: string) => strftimeDay(date, format),
      }),
  };
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** The template transformers would load from a folder: chat_template.jinja first (it wins there too), then tokenizer_config.json's. */
export function readTemplateSource(dir: string): string | null {
  const jinja = path.join(dir, 'chat_template.jinja');
  if (fs.existsSync(jinja)) return fs.readFileSync(jinja, 'utf8');
  const t = readJson(path.join(dir, 'tokenizer_config.json'))?.chat_template;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) {
    const named = t as { name?: string; template?: string }[];
    return (named.find((x) => x.name === 'default') ?? named[0])?.template ?? null;
  }
  return null;
}

/** The folder's own template, or null when it has none. */
export function loadHfTemplate(dir: string, date: string): HfTemplate | null {
  const source = readTemplateSource(dir);
  if (!source) return null;
  return hfTemplate(source, readJson(path.join(dir, 'tokenizer_config.json')) ?? {}, date);
}
