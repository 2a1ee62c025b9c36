/**
 * What a run needs before its sidecar starts: a Python, the model folder, and the dataset as
 * normalised JSONL. Each step fails with its own clear error (missing Python, unknown model, bad data),
 * recorded on the run, before any GPU time is spent.
 */
import fs from 'node:fs';
import { HoneError } from '../../shared/errors';
import type { RunConfig } from '../../shared/types/runs';
import type { CoreContext } from '../context';
import { createDatasetHandlers } from '../datasets/handlers';
import { resolveModelPath } from '../demo/resolve-model';
import { getRuntime } from '../runtime/service';

export interface Prepared {
  python: string;
  modelPath: string;
  datasetPath: string;
  evalDatasetPath: string | null;
}

export type ModelResolver = (ctx: CoreContext, ref: string) => Promise<string>;

/** The demo id builds the tiny model on first use; folders are used as they are; catalogue models must be downloaded. */
export const defaultModelResolver: ModelResolver = async (ctx, ref) => (await resolveModelPath(ctx, ref)).path;

/** First non-empty line of a .jsonl file, parsed; null when it is not JSONL. */
function firstRow(file: string): Record<string, unknown> | null {
  if (!/\.jsonl$/i.test(file)) return null;
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const line = buf.subarray(0, n).toString('utf8').split('\n').find((l) => l.trim());
    if (!line) return null;
    const row = JSON.parse(line) as unknown;
    return row && typeof row === 'object' && !Array.isArray(row) ? (row as Record<string, unknown>) : null;
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

const isMessages = (v: unknown) => Array.isArray(v) && v.every((m) => m && typeof m === 'object' && 'role' in m && 'content' in m);

/** Already in the sidecar's shape (what the datasets import writes, and the bundled samples)? */
export function isNormalised(file: string, objective: RunConfig['objective']): boolean {
  const row = firstRow(file);
  if (!row) return false;
  if (objective === 'dpo') return isMessages(row.prompt) && isMessages(row.chosen) && isMessages(row.rejected);
  return isMessages(row.messages) || typeof row.text === 'string';
}

async function normalisedDataset(ctx: CoreContext, config: RunConfig): Promise<{ train: string; eval: string | null }> {
  if (!fs.existsSync(config.dataset)) {
    throw new HoneError('BAD_DATA', `The dataset file ${config.dataset} does not exist any more.`, 'Choose the dataset again in the Dataset step.');
  }
  if (isNormalised(config.dataset, config.objective)) return { train: config.dataset, eval: config.evalDataset ?? null };
  const imported = await createDatasetHandlers(ctx)['datasets.import']({
    path: config.dataset,
    model: config.model,
    maxSeqLength: config.plan.max_seq_length,
    badRows: 'skip',
    evalPath: config.evalDataset ?? null,
  });
  return { train: imported.trainPath, eval: imported.evalPath };
}

export async function prepareRun(ctx: CoreContext, config: RunConfig, resolveModel: ModelResolver = defaultModelResolver): Promise<Prepared> {
  const python = await getRuntime(ctx).requirePython();
  const modelPath = await resolveModel(ctx, config.model);
  const data = await normalisedDataset(ctx, config);
  return { python, modelPath, datasetPath: data.train, evalDatasetPath: data.eval };
}
