/**
 * The export's self-check: does the created Ollama model feed the model what training fed it? Each probe
 * conversation is rendered by the model's own Hugging Face template and by Ollama (render-probe.ts). Where
 * Ollama returns text, the texts must be equal, with the BOS that Ollama's tokenizer adds by itself counted
 * in; where it only returns a token count (Ollama < 0.11.5), that count must equal the Hugging Face text's
 * token count under the model's tokenizer.json. A conversation the model's template refuses (a system message
 * for Gemma 2) is skipped and said so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import type { HfTemplate } from './hf-template';
import { PROBE_CONVERSATIONS, renderThroughOllama, tokenizerFacts, type ProbeConversation } from './render-probe';

export interface ProbeResult {
  name: string;
  ok: boolean;
  /** What went wrong or why it was skipped; empty when equal. */
  detail: string;
  skipped?: boolean;
}

export interface TemplateCheck {
  ok: boolean;
  method: 'text' | 'tokens' | 'mixed' | 'none';
  autoBos: boolean;
  probes: ProbeResult[];
  summary: string;
}

export type TokenCount = (text: string) => number;

/** A counter from the folder's tokenizer.json, adding no special tokens (the text holds them), or null. */
export function folderTokenCounter(dir: string): TokenCount | null {
  try {
    const tok = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
    const cfgFile = path.join(dir, 'tokenizer_config.json');
    const cfg = fs.existsSync(cfgFile) ? (JSON.parse(fs.readFileSync(cfgFile, 'utf8')) as Record<string, unknown>) : {};
    const tokenizer = new Tokenizer(tok, cfg);
    return (text) => tokenizer.encode(text, { add_special_tokens: false }).ids.length;
  } catch {
    return null;
  }
}

/** "at character N: expected …, Ollama has …", with a little context either side. */
export function firstDifference(expected: string, got: string): string {
  let i = 0;
  while (i < expected.length && i < got.length && expected[i] === got[i]) i++;
  const from = Math.max(0, i - 20);
  const show = (s: string) => JSON.stringify(s.slice(from, i + 40));
  return `they differ at character ${i}: the model was trained on ${show(expected)}, Ollama feeds ${show(got)}`;
}

export interface CheckOptions {
  baseUrl: string;
  model: string;
  hf: HfTemplate;
  count: TokenCount | null;
  /** The model's SYSTEM: Ollama puts it first when a conversation has no system message, so training must be compared with it there too. */
  modelSystem?: string | null;
  probes?: ProbeConversation[];
  signal?: AbortSignal;
}

export async function checkTemplate(opts: CheckOptions): Promise<TemplateCheck> {
  const { autoBos } = await tokenizerFacts(opts.baseUrl, opts.model, opts.signal);
  const bos = autoBos ? opts.hf.specials.bos_token : '';
  const probes: ProbeResult[] = [];
  const methods = new Set<'text' | 'tokens'>();
  for (const probe of opts.probes ?? PROBE_CONVERSATIONS) {
    let expected: string;
    const hfMessages = opts.modelSystem && probe.messages[0]?.role !== 'system' ? [{ role: 'system', content: opts.modelSystem }, ...probe.messages] : probe.messages;
    try {
      expected = opts.hf.render(hfMessages, true);
    } catch (err) {
      probes.push({ name: probe.name, ok: true, skipped: true, detail: `the model's own template refuses it (${(err as Error).message})` });
      continue;
    }
    const got = await renderThroughOllama(opts.baseUrl, opts.model, probe.messages, opts.signal);
    methods.add(got.kind);
    if (got.kind === 'text') {
      const fed = bos + got.text;
      probes.push({ name: probe.name, ok: fed === expected, detail: fed === expected ? '' : firstDifference(expected, fed) });
    } else if (opts.count) {
      const want = opts.count(expected);
      probes.push({ name: probe.name, ok: want === got.count, detail: want === got.count ? '' : `training saw ${want} tokens, Ollama feeds ${got.count}` });
    } else {
      probes.push({ name: probe.name, ok: true, skipped: true, detail: 'this Ollama reports only token counts and the model folder has no tokenizer.json to count with' });
    }
  }
  const ran = probes.filter((p) => !p.skipped);
  const ok = probes.every((p) => p.ok);
  const method = methods.size === 0 ? 'none' : methods.size === 2 ? 'mixed' : [...methods][0];
  const bad = probes.find((p) => !p.ok);
  const how = method === 'text' ? 'the same text' : method === 'tokens' ? 'the same number of tokens' : 'the same prompt';
  const summary = bad
    ? `Ollama would not feed this model what it was trained on (${bad.name}): ${bad.detail}.`
    : ran.length
      ? `Ollama feeds ${how} as training did for ${ran.length} of ${probes.length} probe conversations${ran.length < probes.length ? ` (${probes.filter((p) => p.skipped).map((p) => `${p.name}: ${p.detail}`).join('; ')})` : ''}.`
      : 'The prompt could not be checked: ' + probes.map((p) => p.detail).join('; ');
  return { ok, method, autoBos, probes, summary };
}
