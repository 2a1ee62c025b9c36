/** Raw rows for the preview table, with long strings and lists cut so a preview never ships megabytes. */
const MAX_STRING = 2000;
const MAX_ITEMS = 50;

function cut(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}… (${v.length} characters)` : v;
  if (Array.isArray(v)) return v.slice(0, MAX_ITEMS).map((x) => cut(x, depth + 1));
  if (v && typeof v === 'object') {
    if (depth > 6) return '…';
    return Object.fromEntries(Object.entries(v).slice(0, MAX_ITEMS).map(([k, x]) => [k, cut(x, depth + 1)]));
  }
  return v;
}

export function previewValue(v: unknown): Record<string, unknown> {
  const c = cut(v, 0);
  return c && typeof c === 'object' && !Array.isArray(c) ? (c as Record<string, unknown>) : { value: c };
}
