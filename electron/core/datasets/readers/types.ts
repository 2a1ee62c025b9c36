import type { DatasetIssue, FileType } from '../../../shared/types/dataset';

/** One record as a reader yields it: a parsed value, or the problem that kept it from being read. */
export type RawRecord = { line: number; value: unknown } | { line: number; issue: DatasetIssue };

export interface ReaderOptions {
  /** Called as bytes (or, for Parquet, rows) are consumed; the caller throttles. */
  onProgress?(done: number, total: number, unit: 'bytes' | 'rows'): void;
  signal?: AbortSignal;
}

export interface RecordSource {
  fileType: FileType;
  /** 'line' for JSONL/CSV (file line where the record starts), 'record' for JSON arrays and Parquet rows. */
  locator: 'line' | 'record';
  /** Records in file order, a batch per chunk read (cheaper than one generator step per record). */
  batches(opts?: ReaderOptions): AsyncGenerator<RawRecord[]>;
  /** The same, one record at a time, for the places that read only the first few. */
  records(opts?: ReaderOptions): AsyncGenerator<RawRecord>;
}

export function issue(line: number, code: DatasetIssue['code'], message: string, field?: string, severity: DatasetIssue['severity'] = 'error'): DatasetIssue {
  return field === undefined ? { severity, line, code, message } : { severity, line, field, code, message };
}
