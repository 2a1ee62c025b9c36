/**
 * CSV/TSV through csv-parse (quoted fields may hold newlines). The first line is the header. Each record
 * is numbered by the file line where it starts, counted from the raw text csv-parse hands back (its own
 * `info.lines` counts CRLF twice), so an error points at the line a user sees in an editor. Broken quoting
 * ends the read with one INVALID_RECORD issue: the rows before it still count.
 */
import fs from 'node:fs';
import { CsvError, parse } from 'csv-parse';
import { issue, type RawRecord, type ReaderOptions } from './types';

/** The delimiter that splits the header line most often: ',' ';' or tab. */
export async function sniffDelimiter(file: string): Promise<string> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const header = buf.subarray(0, bytesRead).toString('utf8').split('\n', 1)[0];
    const counts = [',', ';', '\t'].map((d) => [d, header.split(d).length - 1] as const);
    counts.sort((a, b) => b[1] - a[1]);
    return counts[0][1] > 0 ? counts[0][0] : ',';
  } finally {
    await fh.close();
  }
}

/** Line breaks in a raw record: CRLF, lone LF and lone CR count one each (csv-parse's raw drops the LF of CRLF delimiters). */
function countNewlines(s: string): { leading: number; total: number } {
  let leading = 0;
  let total = 0;
  let inLeading = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0d || c === 0x0a) {
      if (c === 0x0d && s.charCodeAt(i + 1) === 0x0a) i++;
      total++;
      if (inLeading) leading++;
    } else inLeading = false;
  }
  return { leading, total };
}

export async function* csvBatches(file: string, opts: ReaderOptions = {}): AsyncGenerator<RawRecord[]> {
  const total = (await fs.promises.stat(file)).size;
  const delimiter = await sniffDelimiter(file);
  const queue: RawRecord[] = [];
  // Newlines consumed before the current record; the header is line 1 (a header with a quoted newline is not supported).
  let consumed = 1;
  // Records are taken in on_record rather than from the stream: a parse error destroys the stream and would
  // drop records it had already parsed but not yet handed out.
  const parser = parse({
    columns: true,
    bom: true,
    delimiter,
    raw: true,
    skip_empty_lines: true,
    relax_column_count: true,
    on_record: ({ record, raw }: { record: Record<string, string>; raw: string }) => {
      const n = countNewlines(raw);
      queue.push({ line: consumed + n.leading + 1, value: record });
      consumed += n.total;
      return null;
    },
  });
  let failure: Error | null = null;
  const finished = new Promise<void>((resolve) => {
    parser.on('error', (err) => {
      failure ??= err;
      resolve();
    });
    parser.on('end', resolve);
  });
  parser.resume();
  let done = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20, signal: opts.signal }) as AsyncIterable<Buffer>) {
    if (failure) break;
    if (!parser.write(chunk)) await Promise.race([new Promise((r) => parser.once('drain', r)), finished]);
    done += chunk.length;
    opts.onProgress?.(done, total, 'bytes');
    if (queue.length) yield queue.splice(0);
  }
  if (!failure) parser.end();
  await finished;
  if (queue.length) yield queue.splice(0);
  if (failure) {
    const err = failure as Error;
    if (!(err instanceof CsvError)) throw err;
    // csv-parse cannot resynchronise after broken quoting, so the rest of the file is unreadable: say where.
    const line = consumed + 1;
    yield [{ line, issue: issue(line, 'INVALID_RECORD', `the CSV cannot be read from line ${line} on: ${err.message}; fix the quoting there (a quote inside a field must be doubled: "")`) }];
  }
}
