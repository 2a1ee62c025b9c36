/**
 * A local model folder's own chat template (tokenizer_config.json `chat_template`), run with
 * @huggingface/jinja, so the preview shows exactly the text the trainer will tokenise.
 *
 * Which part is trained: a template with `{% generation %}` markers (TRL's assistant_only_loss, our tiny
 * model's) says so itself; we swap the markers for sentinel characters and split on them. Otherwise we
 * render growing prefixes of the conversation (with add_generation_prompt before each assistant turn) and
 * mark what each assistant turn adds, which is how trainers without markers find the response spans.
 */
import { Template } from '@huggingface/jinja';
import type { NormalisedMessage } from '../../../shared/types/dataset';
import type { Segment } from './families';

const START = '\u0002';
const END = '\u0003';
const GENERATION = /\{%(-?)\s*generation\s*(-?)%\}/g;
const END_GENERATION = /\{%(-?)\s*endgeneration\s*(-?)%\}/g;

export interface TemplateRenderer {
  label: string;
  segments(msgs: NormalisedMessage[]): Segment[];
  text(msgs: NormalisedMessage[]): string;
}

export function jinjaRenderer(source: string, specials: Record<string, string>, label: string): TemplateRenderer {
  const marked = source.search(GENERATION) !== -1;
  const src = marked
    ? source.replace(GENERATION, (_m, a: string, b: string) => `{{${a} '${START}' ${b}}}`).replace(END_GENERATION, (_m, a: string, b: string) => `{{${a} '${END}' ${b}}}`)
    : source;
  const tpl = new Template(src);
  const render = (messages: NormalisedMessage[], addGenerationPrompt = false): string =>
    tpl.render({ ...specials, messages, add_generation_prompt: addGenerationPrompt });
  const strip = (s: string) => (marked ? s.replaceAll(START, '').replaceAll(END, '') : s);

  return {
    label,
    text: (msgs) => strip(render(msgs)),
    segments: (msgs) => (marked ? splitMarked(render(msgs)) : byPrefixes(msgs, render)),
  };
}

function splitMarked(s: string): Segment[] {
  const out: Segment[] = [];
  let train = false;
  let from = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = s[i];
    if (i === s.length || c === START || c === END) {
      if (i > from) out.push({ text: s.slice(from, i), train });
      if (c === START) train = true;
      if (c === END) train = false;
      from = i + 1;
    }
  }
  return out;
}

function byPrefixes(msgs: NormalisedMessage[], render: (m: NormalisedMessage[], gen?: boolean) => string): Segment[] {
  const full = render(msgs);
  const out: Segment[] = [];
  let done = '';
  const take = (next: string, train: boolean): boolean => {
    if (!next.startsWith(done)) return false;
    if (next.length > done.length) out.push({ text: next.slice(done.length), train });
    done = next;
    return true;
  };
  try {
    for (let k = 0; k < msgs.length; k++) {
      const assistant = msgs[k].role === 'assistant';
      if (assistant && !take(render(msgs.slice(0, k), true), false)) throw new Error('prefix');
      if (!take(k === msgs.length - 1 ? full : render(msgs.slice(0, k + 1)), assistant)) throw new Error('prefix');
    }
    if (full.length > done.length && full.startsWith(done)) out.push({ text: full.slice(done.length), train: false });
    return out;
  } catch {
    // The template rewrites earlier text as turns are added (some date or system injections): show it whole.
    return [{ text: full, train: false }];
  }
}
