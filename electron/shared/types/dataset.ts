import type { DatasetTokenStats } from './plan';

export type FileType = 'jsonl' | 'json' | 'csv' | 'parquet';
export type DatasetFormat = 'alpaca' | 'sharegpt' | 'messages' | 'prompt_completion' | 'text' | 'dpo';

export interface ColumnMapping {
  /** Our field name -> the user's column, e.g. { instruction: 'question', output: 'answer' }. */
  [ourField: string]: string;
}

export interface Detection {
  format: DatasetFormat;
  /** 0..1: share of sampled rows that matched the format. */
  confidence: number;
  /** Other candidates with their confidence, best first. */
  alternatives: { format: DatasetFormat; confidence: number }[];
  columns: string[];
  /** Our field -> the user's column actually used (auto-mapped aliases merged with the user's mapping). */
  mapping: ColumnMapping;
}

export type IssueSeverity = 'error' | 'warning';

export interface DatasetIssue {
  severity: IssueSeverity;
  /** 1-based line (JSONL), row (CSV/Parquet/JSON array: 1-based record number). */
  line: number;
  field?: string;
  code:
    | 'INVALID_JSON'
    | 'MISSING_FIELD'
    | 'EMPTY_FIELD'
    | 'UNKNOWN_ROLE'
    | 'NOT_ENDING_WITH_ASSISTANT'
    | 'ROLES_NOT_ALTERNATING'
    | 'CHOSEN_EQUALS_REJECTED'
    | 'DUPLICATE_ROW'
    | 'TOO_LONG'
    | 'INVALID_UTF8'
    | 'WRONG_TYPE'
    /** A CSV record the parser could not read (e.g. an unclosed quote), or an undecodable Parquet row. */
    | 'INVALID_RECORD'
    /** The model's own chat template (a local folder's Jinja) refused the row. */
    | 'TEMPLATE_ERROR';
  message: string;
}

export interface NormalisedMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One normalised row: messages for SFT, prompt/chosen/rejected for DPO. */
export type NormalisedRow =
  | { messages: NormalisedMessage[] }
  | { prompt: NormalisedMessage[]; chosen: NormalisedMessage[]; rejected: NormalisedMessage[] }
  | { text: string };

export interface DatasetStats extends DatasetTokenStats {
  totalTokens: number;
  /** Whether counts come from the model's tokenizer or an estimate (about 3.5 latin characters a token). */
  tokenCounter: 'tokenizer' | 'estimate';
  /** Histogram of token lengths: bucket upper bounds and counts. */
  histogram: { upTo: number; count: number }[];
  /** Rows longer than maxSeqLength (will be truncated). */
  truncated: number;
  maxSeqLength: number | null;
}

export interface DatasetReport {
  path: string;
  fileType: FileType;
  sizeBytes: number;
  /** What `line` in issues and preview counts: file lines (JSONL, CSV: where the record starts) or records (JSON array, Parquet). */
  locator: 'line' | 'record';
  detection: Detection;
  /** Total records read, good + bad. */
  rowsRead: number;
  goodRows: number;
  badRows: number;
  warnings: number;
  /** Every problem, in file order (capped by maxIssues, with issuesTruncated counting the rest). */
  issues: DatasetIssue[];
  issuesTruncated: number;
  /** How many issues of each code, over the whole file (the list above is capped). */
  issueCounts: Partial<Record<DatasetIssue['code'], number>>;
  stats: DatasetStats;
  /** First rows, normalised, for the preview table. */
  preview: { line: number; raw: Record<string, unknown>; row: NormalisedRow }[];
  usable: boolean;
}

export interface ImportedDataset {
  id: string;
  sourcePath: string;
  format: DatasetFormat;
  trainPath: string;
  evalPath: string | null;
  trainRows: number;
  evalRows: number;
  skippedRows: number;
  report: DatasetReport;
}

/** A row rendered with the chosen model's chat template, as it will be trained. */
export interface RenderedRow {
  line: number;
  /** Text segments; `train: true` marks what counts for the loss. */
  segments: { text: string; train: boolean }[];
  tokens: number;
  /** DPO rows render twice: the chosen and the rejected conversation. */
  variant?: 'chosen' | 'rejected';
  /** Which template rendered it: a family ("chatml", "llama3", ...) or "model's own (tokenizer_config.json)". */
  template?: string;
  /** Set when the template refused the row (e.g. a Jinja raise_exception); segments are then empty. */
  error?: string;
}

/** Each format's fields (ours, which a ColumnMapping maps onto the user's columns): the UI's mapping editor and the core's detection share them. */
export const DATASET_FORMAT_FIELDS: Record<DatasetFormat, { required: string[]; optional: string[] }> = {
  alpaca: { required: ['instruction', 'output'], optional: ['input', 'system', 'history'] },
  sharegpt: { required: ['conversations'], optional: ['system'] },
  messages: { required: ['messages'], optional: [] },
  prompt_completion: { required: ['prompt', 'completion'], optional: [] },
  text: { required: ['text'], optional: [] },
  dpo: { required: ['chosen', 'rejected'], optional: ['prompt', 'system'] },
};
