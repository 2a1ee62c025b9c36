/**
 * The per-row hot path of validation: a 64-bit hash of the normalised row (for duplicates), in one pass
 * over its characters, and its length and UTF-8 byte length (for the token estimate). With a TS template
 * family the estimate of the rendered row is then estimateFrom(length + template chars, bytes + template
 * chars) (the template adds only ASCII), the number estimateTokens(renderer.text(row)) gives, without
 * rendering a string per row. No closures are made per row: tsx wraps each one in a naming call.
 */
import type { NormalisedMessage, NormalisedRow } from '../../shared/types/dataset';
import type { ModelTemplate } from './model';
import { estimateFrom } from './tokens';

export interface RowMeasure {
  tokens: number;
  hashHi: number;
  hashLo: number;
}

const ROLE_CODE = { system: 0x73, user: 0x75, assistant: 0x61 } as const;

class Acc {
  h1 = 0x811c9dc5 | 0;
  h2 = 0x9747b28c | 0;
  length = 0;
  bytes = 0;

  mix(c: number): void {
    this.h1 = Math.imul(this.h1 ^ c, 0x01000193);
    const h2 = Math.imul(this.h2 ^ c, 0x5bd1e995);
    this.h2 = h2 ^ (h2 >>> 13);
  }

  messages(msgs: NormalisedMessage[]): void {
    // Locals, not fields, in the per-character loop: it runs over every character of the file.
    let h1 = this.h1;
    let h2 = this.h2;
    for (let k = 0; k < msgs.length; k++) {
      const s = msgs[k].content;
      h1 = Math.imul(h1 ^ ROLE_CODE[msgs[k].role], 0x01000193);
      // Two UTF-16 units a step, into two multiplicative lanes: half the multiplications of one a unit.
      const even = s.length & ~1;
      for (let i = 0; i < even; i += 2) {
        const w = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
        h1 = Math.imul(h1 ^ w, 0x01000193);
        h2 = Math.imul(h2 ^ w, 0x5bd1e995);
      }
      if (even < s.length) h1 = Math.imul(h1 ^ s.charCodeAt(even), 0x01000193);
      h2 = Math.imul(h2 ^ s.length, 0x5bd1e995); // turn boundary
      h2 ^= h2 >>> 15;
      this.length += s.length;
      this.bytes += Buffer.byteLength(s, 'utf8');
    }
    this.h1 = h1;
    this.h2 = h2;
  }
}

const fmix = (h: number) => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

function roles(msgs: NormalisedMessage[], more?: NormalisedMessage[]): string {
  let s = '';
  for (let i = 0; i < msgs.length; i++) s += (i ? ',' : '') + ROLE_CODE[msgs[i].role];
  if (more) for (let i = 0; i < more.length; i++) s += ',' + ROLE_CODE[more[i].role];
  return s;
}

/** Tokens and hash of a good row; `slowTokens` renders it when the estimate shortcut does not apply. */
export function measureRow(row: NormalisedRow, t: ModelTemplate, slowTokens: (row: NormalisedRow, t: ModelTemplate) => number): RowMeasure {
  const overhead = t.counter.kind === 'estimate' ? t.overheadChars : undefined;
  let tokens = 0;
  const acc = new Acc();
  if ('messages' in row) {
    acc.messages(row.messages);
    if (overhead) {
      const o = overhead(roles(row.messages));
      tokens = estimateFrom(acc.length + o, acc.bytes + o);
    }
  } else if ('prompt' in row) {
    const [p, c, r] = [new Acc(), new Acc(), new Acc()];
    p.messages(row.prompt);
    c.messages(row.chosen);
    r.messages(row.rejected);
    for (const part of [p, c, r]) {
      acc.mix(part.h1);
      acc.mix(part.h2);
    }
    if (overhead) {
      const oc = overhead(roles(row.prompt, row.chosen));
      const or = overhead(roles(row.prompt, row.rejected));
      tokens = Math.max(estimateFrom(p.length + c.length + oc, p.bytes + c.bytes + oc), estimateFrom(p.length + r.length + or, p.bytes + r.bytes + or));
    }
  } else {
    acc.messages([{ role: 'user', content: row.text }]);
  }
  if (!overhead) tokens = slowTokens(row, t);
  return { tokens, hashHi: (fmix(acc.h1) | 1) >>> 0, hashLo: fmix(acc.h2 ^ acc.h1) };
}
