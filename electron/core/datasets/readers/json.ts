/**
 * A JSON document holding the rows: a top-level array, or an object with the rows in an array under some key
 * (`{"data": [...]}`, the first array wins). Streamed with @streamparser/json so a large file is never held
 * whole; `keepStack: false` drops each row once it is emitted. Records are numbered 1.. in the array.
 */
import fs from 'node:fs';
import { JSONParser } from '@streamparser/json';
import { issue, type RawRecord, type ReaderOptions } from './types';

const CHUNK = 1 << 20;

/** Peeks at the start of a .json file: '[' or '{', and whether it is really JSON Lines under a .json name. */
export async function sniffJson(file: string): Promise<'array' | 'object' | 'jsonl' | 'unknown'> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(256 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    const first = head.trimStart()[0];
    if (first === '[') return 'array';
    if (first !== '{') return 'unknown';
    // `{...}\n{...}`: a complete object on the first line followed by more content is JSON Lines.
    const nl = head.indexOf('\n');
    if (nl > 0 && head.slice(nl + 1).trim().length > 0) {
      try {
        JSON.parse(head.slice(0, nl));
        return 'jsonl';
      } catch {
        // the first line is not a whole object: a pretty-printed document
      }
    }
    return 'object';
  } finally {
    await fh.close();
  }
}

export async function* jsonBatches(file: string, shape: 'array' | 'object', opts: ReaderOptions = {}): AsyncGenerator<RawRecord[]> {
  const total = (await fs.promises.stat(file)).size;
  const parser = new JSONParser({ paths: [shape === 'array' ? '$.*' : '$.*.*'], keepStack: false });
  const pending: RawRecord[] = [];
  let arrayKey: string | number | undefined;
  let n = 0;
  let failure: Error | null = null;
  parser.onValue = ({ value, parent, stack }) => {
    if (!Array.isArray(parent)) return;
    if (shape === 'object') {
      const key = stack[1]?.key;
      arrayKey ??= key;
      if (key !== arrayKey) return;
    }
    n++;
    pending.push({ line: n, value });
  };
  parser.onError = (err) => {
    failure ??= err;
  };
  let done = 0;
  const stream = fs.createReadStream(file, { highWaterMark: CHUNK, signal: opts.signal });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (!failure) parser.write(chunk);
    done += chunk.length;
    opts.onProgress?.(done, total, 'bytes');
    if (pending.length) yield pending.splice(0);
    if (failure) break;
  }
  if (!failure && !parser.isEnded) parser.end();
  if (pending.length) yield pending.splice(0);
  if (failure) {
    const at = n + 1;
    yield [{ line: at, issue: issue(at, 'INVALID_JSON', `the JSON document is malformed after record ${n}: ${(failure as Error).message}; nothing after it can be read`) }];
  } else if (n === 0 && shape === 'object') {
    yield [{ line: 1, issue: issue(1, 'MISSING_FIELD', 'the JSON object holds no array of rows; put the rows in an array, e.g. {"data": [...]}') }];
  }
}
