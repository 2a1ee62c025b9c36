/**
 * JSON Lines, read as raw bytes so that each line's UTF-8 can be checked on its own: a bad byte costs
 * one row (INVALID_UTF8 with its line number), not the file. Memory stays at one chunk plus one line.
 */
import fs from 'node:fs';
import { issue, type RawRecord, type ReaderOptions } from './types';

const CHUNK = 1 << 20;
/** A "line" longer than this is almost surely a file without newlines; we refuse it rather than buffer gigabytes. */
export const MAX_LINE_BYTES = 64 << 20;
const NL = 0x0a;

export async function* jsonlRecords(file: string, opts: ReaderOptions = {}): AsyncGenerator<RawRecord> {
  const total = (await fs.promises.stat(file)).size;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let oversize = false;
  let line = 0;
  let done = 0;

  const parse = (buf: Buffer): RawRecord | null => {
    line++;
    let end = buf.length;
    if (end > 0 && buf[end - 1] === 0x0d) end--; // CRLF files
    let text: string;
    try {
      text = decoder.decode(end === buf.length ? buf : buf.subarray(0, end));
    } catch {
      return { line, issue: issue(line, 'INVALID_UTF8', 'it has bytes that are not valid UTF-8; re-save the file as UTF-8') };
    }
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (isBlank(text)) return null;
    try {
      return { line, value: JSON.parse(text) as unknown };
    } catch (err) {
      return { line, issue: issue(line, 'INVALID_JSON', `not valid JSON: ${(err as Error).message}`) };
    }
  };

  const stream = fs.createReadStream(file, { highWaterMark: CHUNK, signal: opts.signal });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(NL, start); nl !== -1; nl = chunk.indexOf(NL, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (oversize) {
        oversize = false;
        carry = [];
        carryBytes = 0;
        line++;
        yield { line, issue: issue(line, 'INVALID_RECORD', `longer than ${MAX_LINE_BYTES >> 20} MB; is this really JSON Lines?`) };
        continue;
      }
      const rec = parse(carryBytes ? Buffer.concat([...carry, piece]) : piece);
      carry = [];
      carryBytes = 0;
      if (rec) yield rec;
    }
    if (start < chunk.length && !oversize) {
      carry.push(chunk.subarray(start));
      carryBytes += chunk.length - start;
      if (carryBytes > MAX_LINE_BYTES) {
        oversize = true;
        carry = [];
      }
    }
    done += chunk.length;
    opts.onProgress?.(done, total, 'bytes');
  }
  if (oversize) {
    line++;
    yield { line, issue: issue(line, 'INVALID_RECORD', `longer than ${MAX_LINE_BYTES >> 20} MB; is this really JSON Lines?`) };
  } else if (carryBytes) {
    const rec = parse(Buffer.concat(carry));
    if (rec) yield rec;
  }
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}
