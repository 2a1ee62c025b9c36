/**
 * One user row, in any supported format, to the one shape the sidecar trains on: `{messages}` for SFT,
 * `{prompt, chosen, rejected}` (message lists) for DPO. Plain text becomes a single assistant message, the
 * form the sidecar reads (it takes `messages` rows for SFT). Every problem found is returned with the row's
 * line; a row with an error normalises to null and is counted as bad.
 */
import type { ColumnMapping, DatasetFormat, DatasetIssue, NormalisedMessage, NormalisedRow } from '../../../shared/types/dataset';
import { issue } from '../readers/types';
import { checkConversation, parseTurns, type Parsed } from './conversation';
import { asList, isObject, typeName } from './values';

type Getter = (field: string) => { column: string; value: unknown };

function text(g: Getter, field: string, line: number, required: boolean): Parsed<string> {
  const { column, value } = g(field);
  if (value === undefined || value === null) {
    return required ? { value: null, issues: [issue(line, 'MISSING_FIELD', `field "${column}" is missing`, column)] } : { value: '', issues: [] };
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    return { value: null, issues: [issue(line, 'WRONG_TYPE', `field "${column}" should be text, got ${typeName(value)}`, column)] };
  }
  const s = String(value);
  if (required && s.trim() === '') return { value: null, issues: [issue(line, 'EMPTY_FIELD', `field "${column}" is empty`, column)] };
  return { value: s, issues: [] };
}

/** A field that may be a string (one turn of `role`) or a list of turns. */
function turnsOrText(g: Getter, field: string, role: NormalisedMessage['role'], line: number): Parsed<NormalisedMessage[]> {
  const { column, value } = g(field);
  if (asList(value)) return parseTurns(value, column, line);
  const t = text(g, field, line, true);
  return { value: t.value === null ? null : [{ role, content: t.value }], issues: t.issues };
}

function systemPrefix(g: Getter, line: number): Parsed<NormalisedMessage[]> {
  const s = text(g, 'system', line, false);
  return { value: s.value ? [{ role: 'system', content: s.value }] : [], issues: s.issues };
}

/** LLaMA-Factory's Alpaca `history`: earlier [instruction, answer] pairs. */
function history(g: Getter, line: number): Parsed<NormalisedMessage[]> {
  const { column, value } = g('history');
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return { value: [], issues: [] };
  const ok = Array.isArray(value) && value.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string'));
  if (!ok) return { value: null, issues: [issue(line, 'WRONG_TYPE', `field "${column}" should be a list of [question, answer] pairs`, column)] };
  return { value: (value as [string, string][]).flatMap(([q, a]) => [{ role: 'user' as const, content: q }, { role: 'assistant' as const, content: a }]), issues: [] };
}

function collect(...parts: Parsed<unknown>[]): { issues: DatasetIssue[]; failed: boolean } {
  const issues = parts.flatMap((p) => p.issues);
  return { issues, failed: parts.some((p) => p.value === null) || issues.some((i) => i.severity === 'error') };
}

function sft(messages: NormalisedMessage[], field: string, line: number, prior: DatasetIssue[]): Parsed<NormalisedRow> {
  const issues = [...prior, ...checkConversation(messages, field, line)];
  return { value: issues.some((i) => i.severity === 'error') ? null : { messages }, issues };
}

/** Splits the shared leading turns of chosen and rejected into the prompt (Anthropic HH-style rows). */
function implicitPrompt(c: NormalisedMessage[], r: NormalisedMessage[]): [NormalisedMessage[], NormalisedMessage[], NormalisedMessage[]] {
  let n = 0;
  while (n < c.length - 1 && n < r.length - 1 && c[n].role === r[n].role && c[n].content === r[n].content) n++;
  return [c.slice(0, n), c.slice(n), r.slice(n)];
}

function dpo(g: Getter, line: number): Parsed<NormalisedRow> {
  const sys = systemPrefix(g, line);
  const c = turnsOrText(g, 'chosen', 'assistant', line);
  const r = turnsOrText(g, 'rejected', 'assistant', line);
  const hasPrompt = g('prompt').value !== undefined && g('prompt').value !== null;
  const p: Parsed<NormalisedMessage[]> = hasPrompt ? turnsOrText(g, 'prompt', 'user', line) : { value: [], issues: [] };
  const base = collect(sys, c, r, p);
  if (base.failed) return { value: null, issues: base.issues };
  let [prompt, chosen, rejected] = [p.value!, c.value!, r.value!];
  if (!hasPrompt) [prompt, chosen, rejected] = implicitPrompt(chosen, rejected);
  prompt = [...sys.value!, ...prompt];
  const column = g('chosen').column;
  const issues = [...base.issues];
  if (prompt.length === 0) issues.push(issue(line, 'MISSING_FIELD', `field "${g('prompt').column}" is missing and chosen/rejected share no leading turns`, g('prompt').column));
  if (JSON.stringify(chosen) === JSON.stringify(rejected)) {
    issues.push(issue(line, 'CHOSEN_EQUALS_REJECTED', 'chosen and rejected are the same, so this pair teaches nothing', column));
  }
  if (prompt.length) {
    issues.push(...checkConversation([...prompt, ...chosen], column, line));
    issues.push(...checkConversation([...prompt, ...rejected], g('rejected').column, line).filter((i) => i.severity === 'error'));
  }
  return { value: issues.some((i) => i.severity === 'error') ? null : { prompt, chosen, rejected }, issues };
}

export function normaliseRecord(value: unknown, format: DatasetFormat, mapping: ColumnMapping, line: number): Parsed<NormalisedRow> {
  if (!isObject(value)) {
    return { value: null, issues: [issue(line, 'WRONG_TYPE', `the row is ${typeName(value)}, not an object with fields`)] };
  }
  const g: Getter = (field) => {
    const column = mapping[field] ?? field;
    return { column, value: value[column] };
  };
  switch (format) {
    case 'alpaca': {
      const sys = systemPrefix(g, line);
      const hist = history(g, line);
      const ins = text(g, 'instruction', line, true);
      const inp = text(g, 'input', line, false);
      const out = text(g, 'output', line, true);
      const base = collect(sys, hist, ins, inp, out);
      if (base.failed) return { value: null, issues: base.issues };
      const user = inp.value!.trim() ? `${ins.value}\n\n${inp.value}` : ins.value!;
      return sft([...sys.value!, ...hist.value!, { role: 'user', content: user }, { role: 'assistant', content: out.value! }], g('output').column, line, base.issues);
    }
    case 'sharegpt':
    case 'messages': {
      const field = format === 'sharegpt' ? 'conversations' : 'messages';
      const sys = systemPrefix(g, line);
      const turns = parseTurns(g(field).value, g(field).column, line);
      const base = collect(sys, turns);
      if (base.failed) return { value: null, issues: base.issues };
      const own = turns.value!;
      const msgs = own[0]?.role === 'system' ? own : [...sys.value!, ...own];
      return sft(msgs, g(field).column, line, base.issues);
    }
    case 'prompt_completion': {
      const p = turnsOrText(g, 'prompt', 'user', line);
      const c = turnsOrText(g, 'completion', 'assistant', line);
      const base = collect(p, c);
      if (base.failed) return { value: null, issues: base.issues };
      return sft([...p.value!, ...c.value!], g('completion').column, line, base.issues);
    }
    case 'text': {
      const t = text(g, 'text', line, true);
      return t.value === null ? { value: null, issues: t.issues } : { value: { messages: [{ role: 'assistant', content: t.value }] }, issues: t.issues };
    }
    case 'dpo':
      return dpo(g, line);
  }
}
