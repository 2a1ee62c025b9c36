/**
 * Checks a request's params before any handler sees them: first a structural pass over whatever arrived
 * (depth, size, prototype keys) so no input can overflow the stack or reach an object's prototype, then the
 * channel's zod schema from electron/shared/params.ts. Both transports reach this through dispatch().
 */
import type { z } from 'zod';
import { REQUEST_PARAMS, type ParamsChannel, type ParamsOf } from '../shared/params';
import { HoneError } from '../shared/errors';

/** Deeper than any real request (runs.start's plan.breakdown is 4 levels). */
export const MAX_DEPTH = 32;
/** Objects, arrays and values in one request; a long chat history is a few thousand. */
export const MAX_NODES = 200_000;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const HINT = 'Hone refused the request before doing anything; nothing was changed.';

function bad(channel: string, what: string): HoneError {
  return new HoneError('BAD_REQUEST', `Bad request to ${channel}: ${what}.`, HINT);
}

/** Iterative (an explicit stack), so a 100,000-deep array is refused instead of overflowing ours. */
export function checkStructure(channel: string, value: unknown): void {
  const stack: [unknown, number][] = [[value, 0]];
  let nodes = 0;
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (++nodes > MAX_NODES) throw bad(channel, `more than ${MAX_NODES} values`);
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_DEPTH) throw bad(channel, `nested deeper than ${MAX_DEPTH} levels`);
    const proto = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) throw bad(channel, 'params must be plain JSON data');
    for (const key of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(key)) throw bad(channel, `the key "${key}" is not allowed`);
      stack.push([(v as Record<string, unknown>)[key], depth + 1]);
    }
  }
}

function describe(issues: z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : 'params'}: ${i.message}`)
    .join('; ');
}

/** The params as the handler may trust them, or BAD_REQUEST naming the first problems. */
export function parseParams<C extends ParamsChannel>(channel: C, params: unknown): ParamsOf<C> {
  checkStructure(channel, params);
  const schema = REQUEST_PARAMS[channel] as z.ZodType;
  const r = schema.safeParse(params);
  if (!r.success) throw bad(channel, describe(r.error.issues));
  return r.data as ParamsOf<C>;
}
