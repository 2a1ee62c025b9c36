/** File and folder names made from a run's name: safe on every OS, readable, never empty. */

/** "Support bot (v2)" → "Support-bot-v2": letters, digits, '.', '_' and '-' only; at most 80 characters. */
export function fileSlug(name: string, fallback = 'model'): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80)
    .replace(/[-.]+$/g, '');
  return slug || fallback;
}
