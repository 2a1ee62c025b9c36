/**
 * Conversations: turn lists in either dialect (ShareGPT `from`/`value`, OpenAI `role`/`content`) become
 * NormalisedMessage[]; then the shape checks that chat templates and trainers rely on.
 */
import type { DatasetIssue, NormalisedMessage } from '../../../shared/types/dataset';
import { issue } from '../readers/types';
import { normaliseRole } from './fields';
import { asList, isObject, typeName } from './values';

export interface Parsed<T> {
  value: T | null;
  issues: DatasetIssue[];
}

/** OpenAI content may be a list of parts; only text parts can be trained on here. */
function contentText(c: unknown): string | null {
  if (typeof c === 'string') return c;
  if (typeof c === 'number') return String(c);
  if (Array.isArray(c) && c.every((p) => isObject(p) && p.type === 'text' && typeof p.text === 'string')) {
    return c.map((p) => (p as { text: string }).text).join('');
  }
  return null;
}

export function hasError(issues: DatasetIssue[]): boolean {
  for (let i = 0; i < issues.length; i++) if (issues[i].severity === 'error') return true;
  return false;
}

// Plain loops and no closures in the per-row functions below: they run for every row of the file.
export function parseTurns(v: unknown, field: string, line: number): Parsed<NormalisedMessage[]> {
  const list = asList(v);
  if (v === undefined || v === null) return { value: null, issues: [issue(line, 'MISSING_FIELD', `field "${field}" is missing`, field)] };
  if (!list) return { value: null, issues: [issue(line, 'WRONG_TYPE', `field "${field}" should be a list of turns, got ${typeName(v)}`, field)] };
  if (list.length === 0) return { value: null, issues: [issue(line, 'EMPTY_FIELD', `field "${field}" has no turns`, field)] };
  const issues: DatasetIssue[] = [];
  const out: NormalisedMessage[] = [];
  for (let i = 0; i < list.length; i++) {
    const t = list[i];
    const at = `${field}[${i}]`;
    if (!isObject(t)) {
      issues.push(issue(line, 'WRONG_TYPE', `turn ${i} should be an object with a role and content, got ${typeName(t)}`, at));
      continue;
    }
    const rawRole = t.role ?? t.from;
    const rawContent = 'content' in t ? t.content : t.value;
    if (typeof rawRole !== 'string') {
      issues.push(issue(line, 'MISSING_FIELD', `turn ${i} has no role ("role" or "from")`, `${at}.role`));
      continue;
    }
    const role = normaliseRole(rawRole);
    if (!role) {
      const tool = /tool|function|observation|ipython/i.test(rawRole) ? ' (tool calls are not supported yet)' : '';
      issues.push(issue(line, 'UNKNOWN_ROLE', `turn ${i} has the unknown role "${rawRole}"${tool}; use system, user or assistant (ShareGPT's human and gpt work too)`, `${at}.role`));
      continue;
    }
    const content = contentText(rawContent);
    if (rawContent === undefined || rawContent === null) {
      issues.push(issue(line, 'MISSING_FIELD', `turn ${i} (${rawRole}) has no content`, `${at}.content`));
    } else if (content === null) {
      issues.push(issue(line, 'WRONG_TYPE', `turn ${i} (${rawRole}) content should be text, got ${typeName(rawContent)} (images and other parts are not supported)`, `${at}.content`));
    } else if (content.trim() === '') {
      // An empty system prompt is harmless: drop it. An empty user or assistant turn would train on nothing.
      if (role === 'system') issues.push(issue(line, 'EMPTY_FIELD', `turn ${i} is an empty system prompt; it is left out`, `${at}.content`, 'warning'));
      else issues.push(issue(line, 'EMPTY_FIELD', `turn ${i} (${rawRole}) is empty`, `${at}.content`));
    } else {
      out.push({ role, content });
    }
  }
  return { value: hasError(issues) ? null : out, issues };
}

/**
 * Checks a whole SFT conversation (or DPO prompt + answer): one optional leading system turn, then user and
 * assistant alternating from the user, with at least one assistant turn. Several templates (Mistral, Gemma)
 * raise on anything else, so these are errors; a trailing user turn only wastes tokens, so it warns.
 */
export function checkConversation(msgs: NormalisedMessage[], field: string, line: number): DatasetIssue[] {
  const offset = msgs.length && msgs[0].role === 'system' ? 1 : 0;
  let assistants = 0;
  for (let i = offset; i < msgs.length; i++) {
    const k = i - offset;
    const role = msgs[i].role;
    if (role !== (k % 2 === 0 ? 'user' : 'assistant')) {
      const what = role === 'system' ? 'a system turn after the start' : k === 0 ? 'the conversation starts with the assistant' : `two ${role} turns in a row`;
      return [issue(line, 'ROLES_NOT_ALTERNATING', `turn ${i}: ${what}; turns must go user, assistant, user, ... after an optional first system turn`, field)];
    }
    if (role === 'assistant') assistants++;
  }
  if (assistants === 0) return [issue(line, 'NOT_ENDING_WITH_ASSISTANT', 'the conversation has no assistant turn, so there is nothing to learn from it', field)];
  if (msgs[msgs.length - 1].role !== 'assistant') {
    return [issue(line, 'NOT_ENDING_WITH_ASSISTANT', 'the conversation ends with a user turn, which will not be trained on', field, 'warning')];
  }
  return [];
}
