/**
 * The one pass over a dataset that inspect and import share: read (streaming), detect the format on the
 * first rows, normalise and check every row, count tokens, find duplicates, and hand good rows to an
 * optional sink. Memory is bounded: the issue list is capped (counts are not), statistics and the
 * duplicate table are fixed-size structures.
 */
import type { ColumnMapping, DatasetFormat, DatasetIssue, DatasetReport, Detection, NormalisedRow } from '../../shared/types/dataset';
import type { Progress } from '../../shared/types/progress';
import { DuplicateFinder, MAX_CHECKED_ROWS } from './dedupe';
import { detectFormat } from './formats/detect';
import { normaliseRecord } from './formats/normalise';
import { DEFAULT_TEMPLATE, type ModelTemplate } from './model';
import { openSource, statDataset, type RawRecord, type RecordSource } from './readers';
import { issue } from './readers/types';
import { LengthStats } from './stats';
import { measureRow, type RowMeasure } from './measure';
import { previewValue } from './preview';

export interface ScanOptions {
  path: string;
  format?: DatasetFormat;
  mapping?: ColumnMapping;
  template?: ModelTemplate;
  maxSeqLength?: number | null;
  maxIssues?: number;
  previewRows?: number;
  /** Throttled here to a few calls a second, plus one at the end. */
  onProgress?(p: Progress): void;
  /** Every good row, in file order; `index` counts good rows from 0. */
  onRow?(row: NormalisedRow, json: string, index: number, line: number): void | Promise<void>;
  signal?: AbortSignal;
}

const DETECT_SAMPLE = 200;
const PROGRESS_MS = 250;

/** Detects the format on the first readable rows; the user's format and mapping, when given, win. */
export async function detectIn(source: RecordSource, opts: { format?: DatasetFormat; mapping?: ColumnMapping }): Promise<Detection> {
  const sample: unknown[] = [];
  for await (const r of source.records()) {
    if ('value' in r) sample.push(r.value);
    if (sample.length >= DETECT_SAMPLE) break;
  }
  return detectFormat(sample, opts);
}

/** Tokens of a row as the template renders it; DPO counts the longer of its two conversations. */
export function rowTokens(row: NormalisedRow, t: ModelTemplate): number {
  if ('messages' in row) return t.counter.count(t.renderer.text(row.messages));
  if ('prompt' in row) return Math.max(t.counter.count(t.renderer.text([...row.prompt, ...row.chosen])), t.counter.count(t.renderer.text([...row.prompt, ...row.rejected])));
  return t.counter.count(row.text);
}

export async function scanDataset(opts: ScanOptions): Promise<DatasetReport> {
  const st = await statDataset(opts.path);
  const source = await openSource(opts.path);
  const detection = await detectIn(source, { format: opts.format, mapping: opts.mapping });
  const template = opts.template ?? DEFAULT_TEMPLATE;
  const maxSeq = opts.maxSeqLength ?? null;
  const maxIssues = opts.maxIssues ?? 1000;
  const previewRows = opts.previewRows ?? 20;

  const stats = new LengthStats(maxSeq);
  const dupes = new DuplicateFinder();
  const issues: DatasetIssue[] = [];
  const issueCounts: DatasetReport['issueCounts'] = {};
  const preview: DatasetReport['preview'] = [];
  let [rowsRead, goodRows, badRows, warnings, truncatedIssues] = [0, 0, 0, 0, 0];
  const note = (i: DatasetIssue) => {
    issueCounts[i.code] = (issueCounts[i.code] ?? 0) + 1;
    if (i.severity === 'warning') warnings++;
    if (issues.length < maxIssues) issues.push(i);
    else truncatedIssues++;
  };

  let last = 0;
  const progress = (done: number, total: number, unit: 'bytes' | 'rows', final = false) => {
    const now = Date.now();
    if (!opts.onProgress || (!final && now - last < PROGRESS_MS)) return;
    last = now;
    opts.onProgress({ stage: 'validating', done, total, unit, detail: `${rowsRead} rows` });
  };
  let lastProgress: [number, number, 'bytes' | 'rows'] = [0, st.size, 'bytes'];

  /** Checks one record; returns the normalised row when it is good. */
  const check = (rec: RawRecord): NormalisedRow | null => {
    rowsRead++;
    if ('issue' in rec) {
      badRows++;
      note(rec.issue);
      return null;
    }
    const { value: row, issues: found } = normaliseRecord(rec.value, detection.format, detection.mapping, rec.line);
    let m: RowMeasure | null = null;
    if (row) {
      try {
        m = measureRow(row, template, rowTokens);
      } catch (err) {
        found.push(issue(rec.line, 'TEMPLATE_ERROR', `the model's chat template refuses this row: ${(err as Error).message}`));
      }
    }
    if (m) {
      const first = dupes.check(m.hashHi, m.hashLo, rec.line);
      if (first) found.push(issue(rec.line, 'DUPLICATE_ROW', `same as ${source.locator} ${first}`, undefined, 'warning'));
      if (maxSeq !== null && m.tokens > maxSeq) {
        found.push(issue(rec.line, 'TOO_LONG', `${m.tokens} tokens, more than the max sequence length ${maxSeq}: the end will be cut off`, undefined, 'warning'));
      }
    }
    for (const i of found) note(i);
    if (!row || !m) {
      badRows++;
      return null;
    }
    stats.add(m.tokens);
    if (preview.length < previewRows) preview.push({ line: rec.line, raw: previewValue(rec.value), row });
    return row;
  };

  const onProgress = (d: number, t: number, u: 'bytes' | 'rows') => progress(...(lastProgress = [d, t, u]));
  for await (const batch of source.batches({ signal: opts.signal, onProgress })) {
    for (const rec of batch) {
      const row = check(rec);
      if (row && opts.onRow) await opts.onRow(row, JSON.stringify(row), goodRows, rec.line);
      if (row) goodRows++;
    }
  }
  progress(lastProgress[1], lastProgress[1], lastProgress[2], true);

  if (dupes.saturated) {
    note(issue(0, 'DUPLICATE_ROW', `more than ${MAX_CHECKED_ROWS.toLocaleString('en-US')} distinct rows: rows after those were not checked for duplicates`, undefined, 'warning'));
  }
  return {
    path: opts.path,
    fileType: source.fileType,
    sizeBytes: st.size,
    locator: source.locator,
    detection,
    rowsRead,
    goodRows,
    badRows,
    warnings,
    issues,
    issuesTruncated: truncatedIssues,
    issueCounts,
    stats: stats.finish(template.counter.kind),
    preview,
    usable: goodRows > 0 && badRows === 0,
  };
}
