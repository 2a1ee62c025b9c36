/**
 * One user row, in any supported format, to the one shape the sidecar trains on: `{messages}` for SFT,
 * `{prompt, chosen, rejected}` (message lists) for DPO. Plain text becomes a single assistant message, the
 * form the sidecar reads (it takes `messages` rows for SFT). Every problem found is returned with the row's
 * line; a row with an error normalises to null and is counted as bad. This runs for every row of a file,
 * so it avoids closures and array spreads on the common, problem-free path.
 */
import type { ColumnMapping, DatasetFormat, DatasetIssue, NormalisedMessage, NormalisedRow } from '../../../shared/types/dataset';
import { issue } from '../readers/types';
import { checkConversation, hasError, parseTurns, type Parsed } from './conversation';
import { asList, isObject, typeName } from './values';

/** A row and where each of our fields lives in it. */
interface Src {
  row: Record<string, unknown>;
  mapping: ColumnMapping;
  line: number;
  issues: DatasetIssue[];
}

const col = (s: Src, field: string): string => s.mapping[field] ?? field;
const val = (s: Src, field: string): unknown => s.row[col(s, field)];

/** A text field; null (with an issue noted) when it is unusable, '' when an optional one is absent. */
function text(s: Src, field: string, required: boolean): string | null {
  const column = col(s, field);
  const value = s.row[column];
  if (value === undefined || value === null) {
    if (!required) return '';
    s.issues.push(issue(s.line, 'MISSING_FIELD', `field "${column}" is missing`, column));
    return null;
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    s.issues.push(issue(s.line, 'WRONG_TYPE', `field "${column}" should be text, got ${typeName(value)}`, column));
    return null;
  }
  const str = String(value);
  if (required && str.trim() === '') {
    s.issues.push(issue(s.line, 'EMPTY_FIELD', `field "${column}" is empty`, column));
    return null;
  }
  return str;
}

function turns(s: Src, field: string): NormalisedMessage[] | null {
  const p: Parsed<NormalisedMessage[]> = parseTurns(val(s, field), col(s, field), s.line);
  for (let i = 0; i < p.issues.length; i++) s.issues.push(p.issues[i]);
  return p.value;
}

/** A field that may be a string (one turn of `role`) or a list of turns. */
function turnsOrText(s: Src, field: string, role: NormalisedMessage['role']): NormalisedMessage[] | null {
  if (asList(val(s, field))) return turns(s, field);
  const t = text(s, field, true);
  return t === null ? null : [{ role, content: t }];
}

function system(s: Src): NormalisedMessage[] | null {
  const t = text(s, 'system', false);
  return t === null ? null : t ? [{ role: 'system', content: t }] : [];
}

/** LLaMA-Factory's Alpaca `history`: earlier [instruction, answer] pairs. */
function history(s: Src): NormalisedMessage[] | null {
  const value = val(s, 'history');
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return [];
  const out: NormalisedMessage[] = [];
  for (const pair of Array.isArray(value) ? value : [null]) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      s.issues.push(issue(s.line, 'WRONG_TYPE', `field "${col(s, 'history')}" should be a list of [question, answer] pairs`, col(s, 'history')));
      return null;
    }
    out.push({ role: 'user', content: pair[0] }, { role: 'assistant', content: pair[1] });
  }
  return out;
}

function result(s: Src, row: NormalisedRow | null): Parsed<NormalisedRow> {
  return { value: row === null || hasError(s.issues) ? null : row, issues: s.issues };
}

function sft(s: Src, messages: NormalisedMessage[], field: string): Parsed<NormalisedRow> {
  const found = checkConversation(messages, col(s, field), s.line);
  for (let i = 0; i < found.length; i++) s.issues.push(found[i]);
  return result(s, { messages });
}

/** Splits the shared leading turns of chosen and rejected into the prompt (Anthropic HH-style rows). */
function implicitPrompt(c: NormalisedMessage[], r: NormalisedMessage[]): [NormalisedMessage[], NormalisedMessage[], NormalisedMessage[]] {
  let n = 0;
  while (n < c.length - 1 && n < r.length - 1 && c[n].role === r[n].role && c[n].content === r[n].content) n++;
  return [c.slice(0, n), c.slice(n), r.slice(n)];
}

function sameTurns(a: NormalisedMessage[], b: NormalisedMessage[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].role !== b[i].role || a[i].content !== b[i].content) return false;
  return true;
}

function dpo(s: Src): Parsed<NormalisedRow> {
  const sys = system(s);
  const c = turnsOrText(s, 'chosen', 'assistant');
  const r = turnsOrText(s, 'rejected', 'assistant');
  const hasPrompt = val(s, 'prompt') !== undefined && val(s, 'prompt') !== null;
  const p = hasPrompt ? turnsOrText(s, 'prompt', 'user') : [];
  if (!sys || !c || !r || !p || hasError(s.issues)) return result(s, null);
  const [given, chosen, rejected] = hasPrompt ? [p, c, r] : implicitPrompt(c, r);
  const prompt = sys.length ? [...sys, ...given] : given;
  if (prompt.length === 0) {
    s.issues.push(issue(s.line, 'MISSING_FIELD', `field "${col(s, 'prompt')}" is missing and chosen/rejected share no leading turns`, col(s, 'prompt')));
    return result(s, null);
  }
  if (sameTurns(chosen, rejected)) s.issues.push(issue(s.line, 'CHOSEN_EQUALS_REJECTED', 'chosen and rejected are the same, so this pair teaches nothing', col(s, 'chosen')));
  for (const x of checkConversation([...prompt, ...chosen], col(s, 'chosen'), s.line)) s.issues.push(x);
  for (const x of checkConversation([...prompt, ...rejected], col(s, 'rejected'), s.line)) if (x.severity === 'error') s.issues.push(x);
  return result(s, { prompt, chosen, rejected });
}

export function normaliseRecord(value: unknown, format: DatasetFormat, mapping: ColumnMapping, line: number): Parsed<NormalisedRow> {
  if (!isObject(value)) {
    return { value: null, issues: [issue(line, 'WRONG_TYPE', `the row is ${typeName(value)}, not an object with fields`)] };
  }
  const s: Src = { row: value, mapping, line, issues: [] };
  switch (format) {
    case 'alpaca': {
      const sys = system(s);
      const hist = history(s);
      const ins = text(s, 'instruction', true);
      const inp = text(s, 'input', false);
      const out = text(s, 'output', true);
      if (sys === null || hist === null || ins === null || inp === null || out === null) return result(s, null);
      const user = inp.trim() ? `${ins}\n\n${inp}` : ins;
      const msgs: NormalisedMessage[] = [...sys, ...hist, { role: 'user', content: user }, { role: 'assistant', content: out }];
      return sft(s, msgs, 'output');
    }
    case 'sharegpt':
    case 'messages': {
      const field = format === 'sharegpt' ? 'conversations' : 'messages';
      const sys = system(s);
      const own = turns(s, field);
      if (sys === null || own === null) return result(s, null);
      return sft(s, sys.length && own[0]?.role !== 'system' ? [...sys, ...own] : own, field);
    }
    case 'prompt_completion': {
      const p = turnsOrText(s, 'prompt', 'user');
      const c = turnsOrText(s, 'completion', 'assistant');
      if (p === null || c === null) return result(s, null);
      return sft(s, [...p, ...c], 'completion');
    }
    case 'text': {
      const t = text(s, 'text', true);
      return result(s, t === null ? null : { messages: [{ role: 'assistant', content: t }] });
    }
    case 'dpo':
      return dpo(s);
  }
}
