/**
 * The datasets domain's request handlers: list samples, inspect (validate + stats + preview), render rows
 * with the model's chat template, import (normalise into the data folder). Long passes report progress on
 * 'datasets.progress'.
 */
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { Params, RequestHandlers } from '../../shared/contract';
import type { Progress } from '../../shared/types/progress';
import type { CoreContext } from '../context';
import { FORMAT_ORDER } from './formats/fields';
import { importDataset } from './import';
import { resolveModelIn } from './model';
import { renderRows } from './render';
import { listSamples } from './samples';
import { scanDataset } from './scan';

type Inspect = Params<'datasets.inspect'>;

function checkParams(p: Inspect): { path: string } {
  if (!p || typeof p.path !== 'string' || !p.path.trim()) throw new HoneError('BAD_REQUEST', 'No dataset path was given.', 'Pick a sample or give the path of a .jsonl, .json, .csv or .parquet file.');
  if (p.format !== undefined && !FORMAT_ORDER.includes(p.format)) {
    throw new HoneError('BAD_REQUEST', `Unknown dataset format "${String(p.format)}"`, `Use one of ${FORMAT_ORDER.join(', ')}.`);
  }
  if (p.maxSeqLength !== undefined && p.maxSeqLength !== null && !(Number.isInteger(p.maxSeqLength) && p.maxSeqLength > 0)) {
    throw new HoneError('BAD_REQUEST', `maxSeqLength must be a positive whole number, got ${String(p.maxSeqLength)}`);
  }
  return { path: path.resolve(p.path.trim()) };
}

export function createDatasetHandlers(ctx: CoreContext): Pick<RequestHandlers, 'datasets.samples' | 'datasets.inspect' | 'datasets.render' | 'datasets.import'> {
  const progressFor = (file: string) => (p: Progress) => ctx.bus.emit('datasets.progress', { ...p, path: file });
  const template = (model?: string) => resolveModelIn(ctx, model);

  return {
    'datasets.samples': () => listSamples(ctx.paths.resourcesDir),

    'datasets.inspect': async (p) => {
      const { path: file } = checkParams(p);
      return scanDataset({ path: file, format: p.format, mapping: p.mapping, template: template(p.model), maxSeqLength: p.maxSeqLength ?? null, onProgress: progressFor(p.path) });
    },

    'datasets.render': async (p) => {
      const { path: file } = checkParams(p);
      return renderRows({ path: file, format: p.format, mapping: p.mapping, template: template(p.model), rows: p.rows });
    },

    'datasets.import': async (p) => {
      const { path: file } = checkParams(p);
      if (p.badRows !== 'skip' && p.badRows !== 'stop') throw new HoneError('BAD_REQUEST', 'badRows must be "skip" or "stop".');
      if (p.evalPercent !== undefined && !(p.evalPercent >= 0 && p.evalPercent <= 50)) throw new HoneError('BAD_REQUEST', `evalPercent must be between 0 and 50, got ${p.evalPercent}`);
      return importDataset({
        path: file,
        format: p.format,
        mapping: p.mapping,
        template: template(p.model),
        maxSeqLength: p.maxSeqLength ?? null,
        badRows: p.badRows,
        evalPercent: p.evalPercent,
        evalPath: p.evalPath ? path.resolve(p.evalPath) : null,
        seed: p.seed,
        dataDir: ctx.paths.dataDir,
        onProgress: progressFor(p.path),
      });
    },
  };
}
