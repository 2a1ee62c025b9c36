/**
 * The chat template families of the catalogue, written out in TS so a row can be shown (and measured) as
 * the trainer will see it without a model folder. Each yields segments; `train: true` marks the assistant
 * content and its end-of-turn token, the part that counts for the loss when training on responses only.
 * They follow each family's tokenizer_config.json template; a local folder's own template is preferred
 * when there is one (see jinja.ts).
 */
import type { ChatTemplateFamily } from '../../../shared/types/model';
import type { NormalisedMessage } from '../../../shared/types/dataset';

export interface Segment {
  text: string;
  train: boolean;
}

export const FAMILIES: ChatTemplateFamily[] = ['llama3', 'chatml', 'mistral', 'gemma', 'phi3', 'phi4'];

export function isFamily(s: string): s is ChatTemplateFamily {
  return (FAMILIES as string[]).includes(s);
}

/** Gemma and Mistral have no system role: their templates fold the system prompt into the first user turn. */
function foldSystem(msgs: NormalisedMessage[]): NormalisedMessage[] {
  if (msgs[0]?.role !== 'system') return msgs;
  const [sys, first, ...rest] = msgs;
  if (!first) return [];
  return [{ role: first.role, content: `${sys.content}\n\n${first.content}` }, ...rest];
}

type Turn = (m: NormalisedMessage) => Segment[];

function turns(msgs: NormalisedMessage[], bos: string, turn: Turn): Segment[] {
  const out: Segment[] = bos ? [{ text: bos, train: false }] : [];
  for (const m of msgs) out.push(...turn(m));
  return out;
}

/** Header, then the content (trained when it is the assistant's), then the closing token, trained with it. */
function wrap(head: string, m: NormalisedMessage, close: string, after = ''): Segment[] {
  const train = m.role === 'assistant';
  const segs: Segment[] = [{ text: head, train: false }, { text: m.content + close, train }];
  if (after) segs.push({ text: after, train: false });
  return segs;
}

export function renderFamily(family: ChatTemplateFamily, msgs: NormalisedMessage[]): Segment[] {
  switch (family) {
    case 'llama3':
      return turns(msgs, '<|begin_of_text|>', (m) => wrap(`<|start_header_id|>${m.role}<|end_header_id|>\n\n`, m, '<|eot_id|>'));
    case 'chatml':
      return turns(msgs, '', (m) => wrap(`<|im_start|>${m.role}\n`, m, '<|im_end|>', '\n'));
    case 'phi4':
      return turns(msgs, '', (m) => wrap(`<|im_start|>${m.role}<|im_sep|>`, m, '<|im_end|>'));
    case 'phi3':
      return turns(msgs, '', (m) => wrap(`<|${m.role}|>\n`, m, '<|end|>', '\n'));
    case 'gemma':
      return turns(foldSystem(msgs), '<bos>', (m) => wrap(`<start_of_turn>${m.role === 'assistant' ? 'model' : m.role}\n`, m, '<end_of_turn>', '\n'));
    case 'mistral':
      return turns(foldSystem(msgs), '<s>', (m) =>
        m.role === 'assistant' ? [{ text: m.content + '</s>', train: true }] : [{ text: `[INST] ${m.content} [/INST]`, train: false }],
      );
  }
}

export function joinSegments(segs: Segment[]): string {
  let s = '';
  for (const x of segs) s += x.text;
  return s;
}
