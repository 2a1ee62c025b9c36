/**
 * Where a reply departs from its reference, word by word (jsdiff's word diff): the run page and the
 * exported report highlight the parts of each reply that the reference does not have.
 */
import { diffWordsWithSpace } from 'diff';

export interface DiffPart {
  text: string;
  /** true: this part of the reply is also in the reference (in order). */
  same: boolean;
}

/** The reply cut into runs that match the reference and runs that do not; text joins back to the reply. */
export function replyDiff(reference: string, reply: string): DiffPart[] {
  const parts: DiffPart[] = [];
  for (const c of diffWordsWithSpace(reference, reply)) {
    if (c.removed) continue; // in the reference only: not part of the reply's text
    const same = !c.added;
    const last = parts[parts.length - 1];
    if (last && last.same === same) last.text += c.value;
    else parts.push({ text: c.value, same });
  }
  return parts;
}

/** Share of the reply's characters that match the reference (for a compact "how close" hint). */
export function matchedShare(parts: DiffPart[]): number {
  const total = parts.reduce((n, p) => n + p.text.length, 0);
  return total ? parts.filter((p) => p.same).reduce((n, p) => n + p.text.length, 0) / total : 0;
}
