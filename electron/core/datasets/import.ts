/**
 * Import: validate the whole file first (nothing is written if the user chose "stop" and there are bad
 * rows), then a second streaming pass writes the normalised rows into <dataDir>/datasets/<id>/train.jsonl
 * and eval.jsonl, with dataset.json recording the counts and the report. The user's file is only read.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { DatasetReport, ImportedDataset } from '../../shared/types/dataset';
import { scanDataset, type ScanOptions } from './scan';
import { evalMask } from './split';
import { JsonlWriter } from './writer';

export interface ImportOptions extends Omit<ScanOptions, 'onRow'> {
  dataDir: string;
  badRows: 'skip' | 'stop';
  evalPercent?: number;
  evalPath?: string | null;
  seed?: number;
}

function where(r: DatasetReport): string {
  const first = r.issues.find((i) => i.severity === 'error');
  return first ? ` (first: ${r.locator} ${first.line}: ${first.message})` : '';
}

function checkUsable(r: DatasetReport, badRows: 'skip' | 'stop', what: string): void {
  if (r.goodRows === 0) {
    throw new HoneError('EMPTY_DATASET', `${what} has no usable rows: ${r.rowsRead} read, ${r.badRows} with errors${where(r)}`, 'Check the format and column mapping, or fix the file.');
  }
  if (r.badRows > 0 && badRows === 'stop') {
    throw new HoneError('BAD_DATA', `${r.badRows} of ${r.rowsRead} rows in ${what} have errors${where(r)}`, 'Fix those rows and import again, or choose to skip bad rows.');
  }
}

function newId(file: string): string {
  const slug = path.basename(file).replace(/\.[^.]+$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'dataset';
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${slug}-${stamp}-${crypto.randomBytes(3).toString('hex')}`;
}

export async function importDataset(opts: ImportOptions): Promise<ImportedDataset> {
  const { dataDir, badRows, evalPath, seed = 42, ...scan } = opts;
  const percent = evalPath ? 0 : Math.min(Math.max(opts.evalPercent ?? 0, 0), 50);
  const report = await scanDataset(scan);
  checkUsable(report, badRows, path.basename(opts.path));
  // A separate eval file must be in the same format as the training file.
  const evalScan = { ...scan, path: evalPath ?? '', format: report.detection.format, mapping: report.detection.mapping };
  const evalReport = evalPath ? await scanDataset(evalScan) : null;
  if (evalReport) checkUsable(evalReport, badRows, path.basename(evalPath!));

  const id = newId(opts.path);
  const dir = path.join(dataDir, 'datasets', id);
  fs.mkdirSync(dir, { recursive: true });
  const train = new JsonlWriter(path.join(dir, 'train.jsonl'));
  const evals = percent > 0 || evalReport ? new JsonlWriter(path.join(dir, 'eval.jsonl')) : null;
  try {
    const mask = evalMask(report.goodRows, percent, seed);
    const write = { ...scan, format: report.detection.format, mapping: report.detection.mapping };
    await scanDataset({
      ...write,
      onProgress: (p) => opts.onProgress?.({ ...p, stage: 'writing' }),
      onRow: (_row, json, i) => (mask[i] && evals ? evals.write(json) : train.write(json)),
    });
    if (evalReport && evals) await scanDataset({ ...evalScan, onProgress: undefined, onRow: (_row, json) => evals.write(json) });
    await train.close();
    await evals?.close();
  } catch (err) {
    train.destroy();
    evals?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const imported: ImportedDataset = {
    id,
    sourcePath: path.resolve(opts.path),
    format: report.detection.format,
    trainPath: train.file,
    evalPath: evals?.file ?? null,
    trainRows: train.rows,
    evalRows: evals?.rows ?? 0,
    skippedRows: report.badRows + (evalReport?.badRows ?? 0),
    report,
  };
  fs.writeFileSync(path.join(dir, 'dataset.json'), JSON.stringify({ ...imported, evalReport, seed, evalPercent: percent, importedAt: new Date().toISOString() }, null, 2));
  return imported;
}
