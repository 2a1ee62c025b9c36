/**
 * What an evaluation compares, found from a run id or a run folder: the base model the run fine-tuned, the
 * tuned model (its LoRA adapter, else its merged/full model), and the held-out rows.
 *
 * The run folder's summary.json (written by the sidecar) says what training actually used, so it wins
 * over the app's stored config; a folder Hone's database does not know (copied from another machine) is
 * evaluated from its summary alone. Held-out rows, in order: the file the user gives, the run's eval file,
 * the rows its eval_split held out (eval_holdout.jsonl). A user file in another format is imported first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { EvalRecord } from '../../shared/types/eval';
import type { OllamaExportRecord, RunStatus } from '../../shared/types/runs';
import type { CoreContext } from '../context';
import { createDatasetHandlers } from '../datasets/handlers';
import { resolveModelPath } from '../demo/resolve-model';
import { readFolderExports } from '../ollama/run-source';
import { isNormalised } from '../runs/prepare';
import { gpuFor } from '../sidecar/env';
import { getRunStore } from '../store';

export const HOLDOUT_FILE = 'eval_holdout.jsonl';

export interface EvalData {
  path: string;
  source: NonNullable<EvalRecord['dataSource']>;
}

export interface EvalTarget {
  /** The run's id in Hone's database; null for a folder it does not know. */
  runId: string | null;
  name: string;
  outputDir: string;
  status: RunStatus | null;
  objective: 'sft' | 'dpo';
  /** The catalogue id or folder the run was configured with (for catalogue facts such as the Ollama base). */
  modelRef: string | null;
  baseModelPath: string;
  adapterPath: string | null;
  tunedModelPath: string | null;
  loadIn4bit: boolean;
  maxSeqLength: number | null;
  device: 'cpu' | 'cuda' | null;
  /** The GPU the sidecar may see, as for training (sidecar/env.ts gpuFor); null: the first one. */
  gpu: number | 'none' | null;
  data: EvalData | null;
  exports: OllamaExportRecord[];
}

type Json = Record<string, unknown>;

function readJson(file: string): Json | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  } catch {
    return null;
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const isDir = (p: string) => fs.existsSync(p) && fs.statSync(p).isDirectory();
const isFile = (p: string | null): p is string => !!p && fs.existsSync(p) && fs.statSync(p).isFile();

const ACTIVE: RunStatus[] = ['queued', 'preparing', 'training', 'stopping'];

export async function resolveEvalTarget(ctx: CoreContext, ref: string, opts: { data?: string | null; cwd?: string } = {}): Promise<EvalTarget> {
  const cwd = opts.cwd ?? process.cwd();
  const store = getRunStore(ctx);
  const asDir = isDir(path.resolve(cwd, ref)) ? path.resolve(cwd, ref) : null;
  const known = store.getRunDetail(ref) ?? (asDir ? (store.listRuns().find((r) => path.resolve(r.outputDir) === asDir) ?? null) : null);
  const detail = known ? store.getRunDetail(known.id) : null;
  if (!detail && !asDir) throw new HoneError('NOT_FOUND', `No run "${ref}".`, 'Pass a run id from the Runs page (or `hone runs`), or the path of a run folder.');
  if (detail && ACTIVE.includes(detail.status)) {
    throw new HoneError('RUN_BUSY', `Run "${detail.name}" is ${detail.status}.`, 'Evaluate it once training has finished (it runs by itself then, when the run has held-out rows).');
  }
  const outputDir = detail?.outputDir ?? asDir!;
  const summary = readJson(path.join(outputDir, 'summary.json'));
  const sc = (summary?.config ?? {}) as Json;
  if (!detail && !summary) throw new HoneError('NOT_FOUND', `${outputDir} is not a run folder (it has no summary.json).`, 'Pass the folder a training wrote (with adapter/ or merged/ and summary.json), or a run id.');

  const adapterPath = fs.existsSync(path.join(outputDir, 'adapter', 'adapter_config.json')) ? path.join(outputDir, 'adapter') : null;
  const tunedModelPath = fs.existsSync(path.join(outputDir, 'merged', 'config.json')) ? path.join(outputDir, 'merged') : null;
  if (!adapterPath && !tunedModelPath) {
    throw new HoneError('NOT_FOUND', `The run folder ${outputDir} has no trained model (no adapter/ or merged/).`, 'Only a run that finished (or was stopped after saving) can be evaluated.');
  }

  const objective = (str(sc.objective) ?? detail?.objective ?? 'sft') as 'sft' | 'dpo';
  let baseModelPath = str(sc.model_path);
  if (!baseModelPath || !isDir(baseModelPath)) {
    if (!detail) throw new HoneError('MODEL_NOT_FOUND', `The base model of this run (${baseModelPath ?? 'unknown'}) is not on this machine.`, 'Download the same base model, or evaluate on the machine that trained the run.');
    baseModelPath = (await resolveModelPath(ctx, detail.config.model)).path;
  }
  const plan = detail?.config.plan;
  return {
    runId: detail?.id ?? null,
    name: detail?.name ?? str(summary?.name) ?? path.basename(outputDir),
    outputDir,
    status: detail?.status ?? (summary ? (summary.stopped ? 'stopped' : 'completed') : null),
    objective,
    modelRef: detail?.config.model ?? str(summary?.model) ?? null,
    baseModelPath,
    adapterPath,
    tunedModelPath,
    loadIn4bit: Boolean(sc.load_in_4bit ?? plan?.load_in_4bit ?? false),
    maxSeqLength: typeof sc.max_seq_length === 'number' ? sc.max_seq_length : (plan?.max_seq_length ?? null),
    device: plan?.device ?? (typeof summary?.device === 'string' ? (summary.device.startsWith('cuda') ? 'cuda' : 'cpu') : null),
    gpu: plan ? gpuFor(plan) : null,
    data: await evalData(ctx, { given: opts.data ? path.resolve(cwd, opts.data) : null, outputDir, objective, configured: str(sc.eval_dataset_path) ?? detail?.config.evalDataset ?? null }),
    exports: detail ? detail.exports : readFolderExports(outputDir),
  };
}

async function evalData(ctx: CoreContext, o: { given: string | null; outputDir: string; objective: 'sft' | 'dpo'; configured: string | null }): Promise<EvalData | null> {
  if (o.given) {
    if (!isFile(o.given)) throw new HoneError('NOT_FOUND', `The file ${o.given} does not exist.`, 'Give a file of held-out rows (JSONL, JSON, CSV or Parquet) in the training format.');
    if (isNormalised(o.given, o.objective)) return { path: o.given, source: 'given file' };
    const imported = await createDatasetHandlers(ctx)['datasets.import']({ path: o.given, badRows: 'skip' });
    if ((imported.format === 'dpo') !== (o.objective === 'dpo')) {
      throw new HoneError('BAD_DATA', `${path.basename(o.given)} holds ${imported.format} rows, but this run was trained with ${o.objective.toUpperCase()}.`, o.objective === 'dpo' ? 'Give preference pairs (prompt, chosen, rejected).' : 'Give conversations or prompt/reply rows.');
    }
    return { path: imported.trainPath, source: 'given file' };
  }
  if (isFile(o.configured)) return { path: o.configured, source: 'eval file' };
  const holdout = path.join(o.outputDir, HOLDOUT_FILE);
  if (isFile(holdout)) return { path: holdout, source: 'held-out split' };
  return null;
}

export function noEvalData(target: EvalTarget): HoneError {
  return new HoneError(
    'BAD_DATA',
    `Run "${target.name}" has no held-out rows to evaluate on (it was trained without an eval split).`,
    'Give a file of rows the model did not train on: `hone eval <run> --data FILE`, or choose one on the run page.',
  );
}
