/**
 * Parquet through hyparquet, one row group at a time so memory is bounded by the largest row group, not the
 * file. List and struct columns come back as arrays and objects (a `conversations` list of structs is a
 * ShareGPT row). hyparquet decodes snappy (and uncompressed) pages itself; files with other codecs are
 * refused with a hint rather than half-read.
 */
import fs from 'node:fs';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, toJson } from 'hyparquet';
import { HoneError } from '../../../shared/errors';
import { issue, type RawRecord, type ReaderOptions } from './types';

const SUPPORTED_CODECS = new Set(['UNCOMPRESSED', 'SNAPPY']);

export async function* parquetBatches(file: string, opts: ReaderOptions = {}): AsyncGenerator<RawRecord[]> {
  const buffer = await asyncBufferFromFile(file);
  let metadata;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (err) {
    throw new HoneError('UNSUPPORTED_FILE', `${file} is not a readable Parquet file: ${(err as Error).message}`, 'Check that the file is Parquet, or save it as JSONL or CSV.');
  }
  const codecs = new Set(metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec ?? 'UNCOMPRESSED')));
  const unsupported = [...codecs].filter((c) => !SUPPORTED_CODECS.has(c));
  if (unsupported.length) {
    throw new HoneError('UNSUPPORTED_FILE', `${file} is compressed with ${unsupported.join(', ')}, which Hone cannot read yet`, 'Re-save it with snappy compression (pandas: df.to_parquet(path, compression="snappy")) or as JSONL.');
  }
  const total = Number(metadata.num_rows);
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    opts.signal?.throwIfAborted();
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd });
    } catch (err) {
      yield [{ line: rowStart + 1, issue: issue(rowStart + 1, 'INVALID_RECORD', `rows ${rowStart + 1}-${rowEnd} cannot be decoded: ${(err as Error).message}; nothing after them can be read`) }];
      return;
    }
    const start = rowStart;
    rowStart = rowEnd;
    opts.onProgress?.(rowStart, total, 'rows');
    yield rows.map((r, i) => ({ line: start + i + 1, value: toJson(r) }));
  }
}

export async function isParquet(file: string): Promise<boolean> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    await fh.read(buf, 0, 4, 0);
    return buf.toString('latin1') === 'PAR1';
  } finally {
    await fh.close();
  }
}
