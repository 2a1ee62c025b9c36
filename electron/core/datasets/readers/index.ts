/**
 * Picks the reader for a file: by extension first, then by content where the extension lies (JSON Lines
 * saved as .json is common, and so is a Parquet file without its extension).
 */
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../../shared/errors';
import type { FileType } from '../../../shared/types/dataset';
import { csvBatches } from './csv';
import { jsonBatches, sniffJson } from './json';
import { jsonlBatches } from './jsonl';
import { isParquet, parquetBatches } from './parquet';
import type { RawRecord, RecordSource, ReaderOptions } from './types';

export type { RawRecord, RecordSource, ReaderOptions };

const EXTENSIONS: Record<string, FileType> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'json',
  '.csv': 'csv',
  '.tsv': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
};

export async function statDataset(file: string): Promise<fs.Stats> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch {
    throw new HoneError('NOT_FOUND', `No file at ${file}`, 'Check the path, or pick one of the bundled samples.');
  }
  if (!st.isFile()) throw new HoneError('BAD_REQUEST', `${file} is not a file`, 'Give the path of a .jsonl, .json, .csv or .parquet file.');
  return st;
}

type Batches = (o?: ReaderOptions) => AsyncGenerator<RawRecord[]>;

function source(fileType: FileType, locator: RecordSource['locator'], batches: Batches): RecordSource {
  return {
    fileType,
    locator,
    batches,
    records: async function* (o) {
      for await (const b of batches(o)) yield* b;
    },
  };
}

export async function openSource(file: string): Promise<RecordSource> {
  await statDataset(file);
  const ext = path.extname(file).toLowerCase();
  let type: FileType | undefined = EXTENSIONS[ext];
  if (type !== 'parquet' && (await isParquet(file))) type = 'parquet';
  if (type === undefined) {
    const shape = await sniffJson(file);
    if (shape === 'unknown') {
      throw new HoneError('UNSUPPORTED_FILE', `Hone cannot tell what kind of file ${path.basename(file)} is`, 'Use JSON Lines (.jsonl), JSON (.json), CSV (.csv, .tsv) or Parquet (.parquet).');
    }
    type = shape === 'jsonl' ? 'jsonl' : 'json';
  }
  switch (type) {
    case 'jsonl':
      return source('jsonl', 'line', (o) => jsonlBatches(file, o));
    case 'csv':
      return source('csv', 'line', (o) => csvBatches(file, o));
    case 'parquet':
      return source('parquet', 'record', (o) => parquetBatches(file, o));
    case 'json': {
      const shape = await sniffJson(file);
      if (shape === 'jsonl') return source('jsonl', 'line', (o) => jsonlBatches(file, o));
      if (shape === 'unknown') {
        throw new HoneError('UNSUPPORTED_FILE', `${path.basename(file)} does not start with [ or {, so it is not JSON`, 'Check the file, or save it as JSON Lines (one object a line).');
      }
      return source('json', 'record', (o) => jsonBatches(file, shape, o));
    }
  }
}
