/**
 * The Ollama (Go) template for a model, derived from the model's own Hugging Face template rather than from a
 * family guess. We render probe conversations whose contents are sentinels, and read off the text the
 * template puts between consecutive messages ("transitions": start→user, user→assistant, assistant→user,
 * user→generation prompt, ...). That covers whatever a template adds by itself: SmolLM2's and Qwen2.5's
 * default system prompt, Llama 3.1's always-present system header with its date lines, Gemma folding the
 * system prompt into the first user turn, Qwen3's empty think block in the non-thinking generation prompt.
 * Mistral's v3 template, which puts the system prompt before the LAST user message, gets a mode of its own.
 *
 * The Go template prints every piece of text through a quoted action ({{ "..." }}), so nothing in a
 * transition can be mistaken for template syntax or eaten by whitespace trimming.
 */
import type { HfTemplate } from './hf-template';
import { goTemplate, type Transitions } from './go-template';

export type DeriveMode = 'transitions' | 'system-before-last-user';

export interface DerivedTemplate {
  mode: DeriveMode;
  /** The Go template to send as TEMPLATE. */
  template: string;
  /** The system prompt the HF template adds when the conversation has none (also sent as SYSTEM when non-empty). */
  defaultSystem: string | null;
  stop: string[];
  /** False when the HF template refuses a system message (Gemma 2): Ollama then folds it into the first user turn. */
  systemSupported: boolean;
  /** The day strftime_now answered, when the template asked for one. */
  dateUsed: string | null;
  transitions: Transitions;
  /** system-before-last-user mode: what follows the system prompt inside the last user turn. */
  systemSeparator?: string;
}

export class DeriveError extends Error {}

type Role = 'system' | 'user' | 'assistant';
interface Probe {
  roles: Role[];
  gen: boolean;
}

const SENTINEL = (i: number) => `\u0001hone${i}\u0001`;
// Control characters: no template trims, escapes or merges them with the text around.
// eslint-disable-next-line no-control-regex
const SENTINEL_RE = /\u0001hone(\d+)\u0001/g;

const PROBES: Record<string, Probe> = {
  user: { roles: ['user'], gen: true },
  multi: { roles: ['user', 'assistant', 'user'], gen: true },
  long: { roles: ['user', 'assistant', 'user', 'assistant', 'user'], gen: true },
  system: { roles: ['system', 'user'], gen: true },
  systemMulti: { roles: ['system', 'user', 'assistant', 'user'], gen: true },
  closed: { roles: ['user', 'assistant'], gen: false },
};

interface Rendered {
  /** Message indices in the order their sentinels appear. */
  order: number[];
  /** Text before each sentinel in `order`, then the tail after the last. */
  gaps: string[];
}

function render(hf: HfTemplate, probe: Probe): Rendered {
  const messages = probe.roles.map((role, i) => ({ role, content: SENTINEL(i) }));
  const text = hf.render(messages, probe.gen);
  const order: number[] = [];
  const gaps: string[] = [];
  let from = 0;
  for (const m of text.matchAll(SENTINEL_RE)) {
    order.push(Number(m[1]));
    gaps.push(text.slice(from, m.index));
    from = m.index! + m[0].length;
  }
  gaps.push(text.slice(from));
  return { order, gaps };
}

function tryRender(hf: HfTemplate, probe: Probe): Rendered | null {
  try {
    return render(hf, probe);
  } catch {
    return null; // the template refused this conversation (raise_exception)
  }
}

/** Records each transition once and insists that a pair of roles always gets the same text. */
class TransitionTable {
  readonly map: Transitions = {};
  record(from: string, to: string, text: string, probe: string): void {
    const key = `${from}>${to}`;
    const had = this.map[key];
    if (had !== undefined && had !== text) throw new DeriveError(`the text between ${from} and ${to} changes with the conversation (probe "${probe}": ${JSON.stringify(text)} vs ${JSON.stringify(had)})`);
    this.map[key] = text;
  }
  /** Transitions of a probe whose sentinels came out in message order. */
  recordProbe(name: string, probe: Probe, r: Rendered, skip: (from: string, to: string) => boolean = () => false): void {
    const roles = probe.roles;
    if (r.order.length !== roles.length || r.order.some((v, i) => v !== i)) throw new DeriveError(`probe "${name}" did not render every message once, in order`);
    for (let i = 0; i <= roles.length; i++) {
      const from = i === 0 ? 'start' : roles[i - 1];
      const to = i === roles.length ? (probe.gen ? 'gen' : 'end') : roles[i];
      if (!skip(from, to)) this.record(from, to, r.gaps[i], name);
    }
  }
}

/** When start→user is start→system + X + system→user, X is what the template says when nobody sets a system prompt. */
function defaultSystemOf(t: Transitions): string | null {
  const [su, ss, sysu] = [t['start>user'], t['start>system'], t['system>user']];
  if (su === undefined || ss === undefined || sysu === undefined) return null;
  if (su.length >= ss.length + sysu.length && su.startsWith(ss) && su.endsWith(sysu)) return su.slice(ss.length, su.length - sysu.length);
  return null;
}

/** Control tokens that end an assistant turn (what follows the reply), and the end-of-sequence token. */
function stopsOf(hf: HfTemplate, t: Transitions): string[] {
  const after = [t['assistant>end'] ?? '', t['assistant>user'] ?? ''];
  const known = hf.specialTokens.length ? hf.specialTokens : null;
  const found = new Set<string>();
  for (const text of after) {
    if (known) {
      for (const tok of known) if (tok && text.includes(tok) && tok !== hf.specials.bos_token) found.add(tok);
    } else {
      for (const m of text.matchAll(/<\|[^|<>]+\|>|<\/?[a-z_]+>|\[\/?[A-Z_]+\]/g)) found.add(m[0]);
    }
  }
  if (hf.specials.eos_token) found.add(hf.specials.eos_token);
  return [...found];
}

function usesDate(hf: HfTemplate): boolean {
  return /strftime_now/.test(hf.source);
}

export interface DeriveOptions {
  /** The tokenizer Ollama runs adds BOS by itself (an Ollama library base for an adapter): leave it out of the template. */
  autoBos?: boolean;
}

export function deriveTemplate(hf: HfTemplate, opts: DeriveOptions = {}): DerivedTemplate {
  const table = new TransitionTable();
  const plain = ['user', 'multi', 'long'] as const;
  for (const name of plain) {
    const r = tryRender(hf, PROBES[name]);
    if (!r) throw new DeriveError(`the template refuses a plain ${PROBES[name].roles.join('/')} conversation`);
    table.recordProbe(name, PROBES[name], r);
  }
  // A closed conversation tells how an assistant turn ends. Its assistant→end only: some templates (Qwen3) open
  // the FINAL assistant turn differently, a case Ollama never renders (a last assistant message is a prefill).
  const closed = tryRender(hf, PROBES.closed);
  if (closed && closed.order.length === 2) table.record('assistant', 'end', closed.gaps[2], 'closed');

  let mode: DeriveMode = 'transitions';
  const sys = tryRender(hf, PROBES.system);
  const sysMulti = tryRender(hf, PROBES.systemMulti);
  let systemSupported = !!(sys && sysMulti);
  let separator = '';
  if (sys && sysMulti) {
    const movedToLastUser = sysMulti.order.join(',') === [1, 2, 0, 3].join(',');
    if (movedToLastUser) {
      // Mistral v3: "[INST] " + system + "\n\n" + last user. The text before the system prompt must be the
      // plain transition into a user turn; what follows it is the separator.
      mode = 'system-before-last-user';
      const before = sysMulti.gaps[2];
      separator = sysMulti.gaps[3];
      if (before !== table.map['assistant>user']) throw new DeriveError('the system prompt is placed inside the last user turn in a way Hone cannot reproduce');
      if (sys.order.join(',') !== '0,1' || sys.gaps[0] !== table.map['start>user'] || sys.gaps[1] !== separator) throw new DeriveError('the system prompt is placed inconsistently');
    } else {
      table.recordProbe('system', PROBES.system, sys);
      table.recordProbe('systemMulti', PROBES.systemMulti, sysMulti);
    }
  } else {
    systemSupported = false;
    // The template refuses system messages (Gemma 2); training data had none. Fold one into the first user turn,
    // as Gemma 3's template does and as a user who sets one in Ollama would expect.
    table.map['start>system'] = table.map['start>user'];
    table.map['system>user'] = '\n\n';
  }

  const t = table.map;
  for (const key of ['start>user', 'user>gen', 'user>assistant', 'assistant>user']) {
    if (t[key] === undefined) throw new DeriveError(`no ${key} transition`);
  }
  if (opts.autoBos && hf.specials.bos_token) {
    for (const key of Object.keys(t)) if (key.startsWith('start>') && t[key].startsWith(hf.specials.bos_token)) t[key] = t[key].slice(hf.specials.bos_token.length);
  }
  const defaultSystem = mode === 'transitions' && systemSupported ? defaultSystemOf(t) : null;
  return {
    mode,
    template: goTemplate(t, mode === 'system-before-last-user' ? { systemBeforeLastUser: separator } : {}),
    defaultSystem,
    stop: stopsOf(hf, t),
    systemSupported,
    dateUsed: usesDate(hf) ? hf.date : null,
    transitions: t,
    ...(mode === 'system-before-last-user' ? { systemSeparator: separator } : {}),
  };
}
