/**
 * Evaluation defaults that keep it quick without cutting replies short: how many rows, and how long a
 * reply may grow (from the references themselves: a reply far longer than its reference only loses score).
 */
import fs from 'node:fs';

export const DEFAULT_LIMIT = { gpu: 50, cpu: 20 } as const;
export const MAX_NEW_TOKENS = { min: 32, max: 1024 } as const;

function reference(row: Record<string, unknown>, objective: 'sft' | 'dpo'): string | null {
  const msgs = (objective === 'dpo' ? row.chosen : row.messages) as { role?: string; content?: unknown }[] | string | undefined;
  if (typeof msgs === 'string') return msgs;
  if (!Array.isArray(msgs)) return null;
  for (let i = msgs.length - 1; i >= 0; i--) if (msgs[i]?.role === 'assistant' && typeof msgs[i].content === 'string') return msgs[i].content as string;
  return null;
}

/** The longest of the first `limit` references, at ~3 characters a token, with half again as much room. */
export function defaultMaxNewTokens(dataPath: string, objective: 'sft' | 'dpo', limit: number): number {
  let longest = 0;
  let seen = 0;
  try {
    for (const line of fs.readFileSync(dataPath, 'utf8').split('\n')) {
      if (seen >= limit) break;
      if (!line.trim()) continue;
      seen++;
      try {
        const ref = reference(JSON.parse(line) as Record<string, unknown>, objective);
        if (ref) longest = Math.max(longest, ref.length);
      } catch {
        // the sidecar names bad rows; here they only do not count
      }
    }
  } catch {
    return 256;
  }
  const tokens = Math.ceil((longest / 3) * 1.5) + 16;
  return Math.min(MAX_NEW_TOKENS.max, Math.max(MAX_NEW_TOKENS.min, tokens));
}
