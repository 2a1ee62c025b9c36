/**
 * JSON Lines, read as raw bytes so that UTF-8 can be checked line by line: a bad byte costs one row
 * (INVALID_UTF8 with its line number), not the file. For speed, each chunk's complete lines are decoded
 * in one call and split; only a chunk that fails to decode is redone line by line to find the culprit.
 * Records come in batches (one per chunk): an async generator step per row would cost more than parsing it.
 * Memory stays at one chunk plus one line.
 */
import fs from 'node:fs';
import { issue, type RawRecord, type ReaderOptions } from './types';

const CHUNK = 1 << 20;
/** A "line" longer than this is almost surely a file without newlines; we refuse it rather than buffer gigabytes. */
export const MAX_LINE_BYTES = 64 << 20;
const NL = 0x0a;

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

class LineParser {
  line = 0;
  private decoder = new TextDecoder('utf-8', { fatal: true });

  private parse(text: string, out: RawRecord[]): void {
    const line = ++this.line;
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.charCodeAt(text.length - 1) === 0x0d) text = text.slice(0, -1); // CRLF files
    if (isBlank(text)) return;
    try {
      out.push({ line, value: JSON.parse(text) as unknown });
    } catch (err) {
      out.push({ line, issue: issue(line, 'INVALID_JSON', `not valid JSON: ${(err as Error).message}`) });
    }
  }

  /** Complete lines, without their final newline. */
  region(buf: Buffer, out: RawRecord[]): void {
    let text: string | null = null;
    try {
      text = this.decoder.decode(buf);
    } catch {
      text = null;
    }
    if (text !== null) {
      for (const l of text.split('\n')) this.parse(l, out);
      return;
    }
    let start = 0;
    while (start <= buf.length) {
      let nl = buf.indexOf(NL, start);
      if (nl === -1) nl = buf.length;
      try {
        this.parse(this.decoder.decode(buf.subarray(start, nl)), out);
      } catch {
        const line = ++this.line;
        out.push({ line, issue: issue(line, 'INVALID_UTF8', 'it has bytes that are not valid UTF-8; re-save the file as UTF-8') });
      }
      start = nl + 1;
    }
  }

  tooLong(out: RawRecord[]): void {
    const line = ++this.line;
    out.push({ line, issue: issue(line, 'INVALID_RECORD', `longer than ${MAX_LINE_BYTES >> 20} MB; is this really JSON Lines?`) });
  }
}

export async function* jsonlBatches(file: string, opts: ReaderOptions = {}): AsyncGenerator<RawRecord[]> {
  const total = (await fs.promises.stat(file)).size;
  const p = new LineParser();
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let oversize = false;
  let done = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK, signal: opts.signal }) as AsyncIterable<Buffer>) {
    done += chunk.length;
    const out: RawRecord[] = [];
    const first = chunk.indexOf(NL);
    if (first === -1) {
      if (!oversize) {
        carry.push(chunk);
        carryBytes += chunk.length;
        if (carryBytes > MAX_LINE_BYTES) [oversize, carry, carryBytes] = [true, [], 0];
      }
    } else {
      const last = chunk.lastIndexOf(NL);
      if (oversize) {
        p.tooLong(out);
        oversize = false;
        if (last > first) p.region(chunk.subarray(first + 1, last), out);
      } else {
        p.region(carryBytes ? Buffer.concat([...carry, chunk.subarray(0, last)]) : chunk.subarray(0, last), out);
      }
      carry = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
      carryBytes = chunk.length - last - 1;
    }
    opts.onProgress?.(done, total, 'bytes');
    if (out.length) yield out;
  }
  const out: RawRecord[] = [];
  if (oversize) p.tooLong(out);
  else if (carryBytes) p.region(Buffer.concat(carry), out);
  if (out.length) yield out;
}
