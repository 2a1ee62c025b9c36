/**
 * Format detection: for each format, map the user's columns onto its fields (aliases, then the user's own
 * mapping on top), and score it by the share of sampled rows that carry those fields with the right shape.
 */
import type { ColumnMapping, DatasetFormat, Detection } from '../../../shared/types/dataset';
import { FORMAT_ORDER, FORMATS } from './fields';
import { asList, isObject } from './values';

export function columnsOf(samples: unknown[], cap = 100): string[] {
  const seen = new Set<string>();
  for (const s of samples) {
    if (!isObject(s)) continue;
    for (const k of Object.keys(s)) {
      if (seen.size >= cap) break;
      seen.add(k);
    }
  }
  return [...seen];
}

/** Our field -> the user's column, for the fields of one format; the user's mapping wins. */
export function autoMap(format: DatasetFormat, columns: string[], user: ColumnMapping = {}): ColumnMapping {
  const spec = FORMATS[format];
  const lower = new Map(columns.map((c) => [c.toLowerCase(), c]));
  const used = new Set(Object.values(user));
  const mapping: ColumnMapping = {};
  for (const field of [...spec.required, ...spec.optional]) {
    if (user[field]) {
      mapping[field] = user[field];
      continue;
    }
    const hit = spec.aliases[field]?.map((a) => lower.get(a)).find((c): c is string => c !== undefined && !used.has(c));
    if (hit) {
      mapping[field] = hit;
      used.add(hit);
    }
  }
  return mapping;
}

const isText = (v: unknown) => typeof v === 'string' || typeof v === 'number';

function turnsWith(v: unknown, roleKey: string, contentKey: string): boolean {
  const list = asList(v);
  return !!list && list.length > 0 && list.every((t) => isObject(t) && roleKey in t && contentKey in t);
}
const isMessages = (v: unknown) => turnsWith(v, 'role', 'content');
const isTurns = (v: unknown) => isMessages(v) || turnsWith(v, 'from', 'value');
const isTextOrTurns = (v: unknown) => isText(v) || isMessages(v);

/** Whether one row carries the format's required fields, with the shapes that format expects. */
export function matches(format: DatasetFormat, row: unknown, m: ColumnMapping): boolean {
  if (!isObject(row)) return false;
  const get = (f: string) => (m[f] === undefined ? undefined : row[m[f]]);
  switch (format) {
    case 'alpaca':
      return isText(get('instruction')) && isText(get('output'));
    case 'sharegpt':
      return turnsWith(get('conversations'), 'from', 'value');
    case 'messages':
      return isMessages(get('messages'));
    case 'prompt_completion':
      return isTextOrTurns(get('prompt')) && isTextOrTurns(get('completion'));
    case 'text':
      return typeof get('text') === 'string';
    case 'dpo': {
      const [c, r] = [get('chosen'), get('rejected')];
      if (get('prompt') !== undefined) return isTextOrTurns(get('prompt')) && isTextOrTurns(c) && isTextOrTurns(r);
      return isTurns(c) && isTurns(r);
    }
  }
}

export function detectFormat(samples: unknown[], opts: { format?: DatasetFormat; mapping?: ColumnMapping } = {}): Detection {
  const columns = columnsOf(samples);
  const scored = FORMAT_ORDER.map((format) => {
    const mapping = autoMap(format, columns, opts.mapping);
    const hits = samples.reduce<number>((n, s) => n + (matches(format, s, mapping) ? 1 : 0), 0);
    return { format, mapping, confidence: samples.length ? hits / samples.length : 0 };
  });
  // Stable sort keeps FORMAT_ORDER (most specific first) among equal scores.
  const ranked = [...scored].sort((a, b) => b.confidence - a.confidence);
  const chosen = opts.format ? scored.find((s) => s.format === opts.format)! : ranked[0];
  return {
    format: chosen.format,
    confidence: round(chosen.confidence),
    alternatives: ranked.filter((s) => s.format !== chosen.format && s.confidence > 0).map((s) => ({ format: s.format, confidence: round(s.confidence) })),
    columns,
    mapping: chosen.mapping,
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
