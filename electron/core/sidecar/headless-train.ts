/**
 * One training run without the app's run queue: resolve the model, import the data, plan, start the
 * sidecar, stream its events. `hone train` is this plus printing; it uses the same pieces as the app
 * (resolveModelPath, importDataset, toSidecarConfig, SidecarProcess) so what the CLI proves, the app does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { Objective, Plan } from '../../shared/types/plan';
import type { RunConfig } from '../../shared/types/runs';
import type { SidecarEvent } from '../../shared/types/sidecar';
import type { CoreContext } from '../context';
import { importDataset } from '../datasets/import';
import { resolveModelPath, type ResolvedModel } from '../demo/resolve-model';
import { formatDuration } from '../planner/eta';
import { planForModel } from '../planner/service';
import { getRuntime } from '../runtime/service';
import { toSidecarConfig } from './config';
import { gpuFor } from './env';
import { launchFor } from './launch';
import { SidecarProcess, type SidecarExit } from './process';
import { ProbeHost } from './probe-host';
import type { MemoryCheckOptions, RunMemory } from '../../shared/types/memory';

export interface HeadlessTrainOptions {
  model: string;
  data: string;
  evalData?: string | null;
  /** Defaults to what the data holds: dpo for preference pairs, sft otherwise. */
  objective?: Objective;
  maxSteps?: number | null;
  epochs?: number;
  learningRate?: number;
  seed?: number;
  merge?: boolean;
  /** The run folder; a new one under <dataDir>/cli-runs by default. */
  outDir?: string;
  /** Continue from the newest checkpoint in outDir. */
  resume?: boolean;
  skipBadRows?: boolean;
  /** Plan with this per-device batch / accumulation instead of the planner's. */
  batchSize?: number;
  gradAccum?: number;
  /** The memory check's options (a budget turns it on for a CPU run). */
  memoryCheck?: MemoryCheckOptions;
  /** Several processes (issue #15): CPU processes without a GPU, else the first this-many cards. */
  processes?: number;
  /** The cards to train on together (nvidia-smi indices). */
  gpus?: number[];
  /** Machines of a multi-node run (only printed: see multi-node.ts). */
  nodes?: number;
  /** Resolves relative paths (the shell's working directory). */
  cwd?: string;
  /** Aborting before the sidecar starts cancels; after, it asks the sidecar to stop and save. */
  signal?: AbortSignal;
  /** Human-readable notes about each preparation step. */
  onInfo?(line: string): void;
  onEvent?(event: SidecarEvent): void;
  onSidecar?(sidecar: SidecarProcess): void;
}

export interface HeadlessTrainResult {
  outputDir: string;
  model: ResolvedModel;
  plan: Plan;
  exit: SidecarExit;
  /** Planned against measured: the memory check's readings and verdict, the training peak. */
  memory: RunMemory;
}

function defaultOutDir(ctx: CoreContext, model: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const slug = path.basename(model).toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'model';
  return path.join(ctx.paths.dataDir, 'cli-runs', `${stamp}-${slug}`);
}

function checkCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new HoneError('BAD_REQUEST', 'Cancelled before training started.');
}

/** Everything before the sidecar starts: what `hone train --print-launch` writes out instead of training. */
export interface HeadlessPrepared {
  python: string;
  model: ResolvedModel;
  plan: Plan;
  outputDir: string;
  config: ReturnType<typeof toSidecarConfig>;
}

export async function prepareHeadless(ctx: CoreContext, opts: HeadlessTrainOptions): Promise<HeadlessPrepared> {
  const cwd = opts.cwd ?? process.cwd();
  const info = opts.onInfo ?? (() => {});
  const python = await getRuntime(ctx).requirePython();

  const model = await resolveModelPath(ctx, opts.model, { cwd, python, onProgress: (p) => p.done === 0 && info(`${p.stage}...`) });
  info(`Model: ${model.spec?.name ?? opts.model} (${model.path})`);
  checkCancelled(opts.signal);

  const dataPath = path.resolve(cwd, opts.data);
  if (!fs.existsSync(dataPath)) throw new HoneError('NOT_FOUND', `The dataset ${dataPath} does not exist.`, 'Give the path of a JSONL, JSON, CSV or Parquet file.');
  const imported = await importDataset({
    path: dataPath,
    dataDir: ctx.paths.dataDir,
    badRows: opts.skipBadRows ? 'skip' : 'stop',
    evalPath: opts.evalData ? path.resolve(cwd, opts.evalData) : null,
  });
  const pairs = imported.format === 'dpo';
  const objective = opts.objective ?? (pairs ? 'dpo' : 'sft');
  if (objective === 'dpo' && !pairs) {
    throw new HoneError('BAD_DATA', `DPO needs preference pairs (prompt, chosen, rejected), but ${path.basename(dataPath)} holds ${imported.format} rows.`, 'Use a preference dataset, or train with --method sft.');
  }
  if (objective === 'sft' && pairs) {
    throw new HoneError('BAD_DATA', `${path.basename(dataPath)} holds preference pairs, which SFT cannot train on.`, 'Train it with --method dpo.');
  }
  info(`Data: ${imported.trainRows} rows (${imported.format})${imported.skippedRows ? `, ${imported.skippedRows} bad rows skipped` : ''}${imported.evalRows ? `, ${imported.evalRows} for eval` : ''}`);
  checkCancelled(opts.signal);

  // The same planner the app's Method step shows; a folder goes by its absolute path so both resolve alike.
  // The run's length goes in too: a CPU plan's time estimate (and its 8-hour limit) is for this run, not one epoch.
  const overrides = {
    objective,
    ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
    ...(opts.gradAccum ? { gradAccum: opts.gradAccum } : {}),
    ...(opts.processes ? { processes: opts.processes } : {}),
    ...(opts.gpus?.length ? { gpus: opts.gpus } : {}),
    ...(opts.nodes ? { nodes: opts.nodes } : {}),
    ...(opts.maxSteps ? { maxSteps: opts.maxSteps } : opts.epochs ? { epochs: opts.epochs } : {}),
  };
  const plan = await planForModel(ctx, model.spec ? opts.model : model.path, overrides, imported.report.stats);
  if (!plan.fits) {
    const hint = plan.suggestion ? `Try ${plan.suggestion.name} instead, or a machine with more memory.` : 'Pick a smaller model, or train on a machine with an NVIDIA GPU.';
    throw new HoneError('DOES_NOT_FIT', `The plan does not fit this machine: ${plan.reasons.join(' ')}`, hint);
  }
  const eta = plan.eta ? `, about ${formatDuration(plan.eta.seconds)} on this CPU (${plan.eta.steps} steps${plan.eta.measured ? '' : ', speed not measured yet'})` : '';
  info(`Plan: ${plan.method} on ${plan.device}, batch ${plan.batch_size} x ${plan.grad_accum}, sequence ${plan.max_seq_length}, rank ${plan.lora_rank}, learning rate ${opts.learningRate ?? plan.learning_rate}${eta}`);
  if (plan.distributed) info(`Strategy: ${plan.distributed.reason}`);

  const outputDir = opts.outDir ? path.resolve(cwd, opts.outDir) : defaultOutDir(ctx, opts.model);
  if (opts.resume && !fs.existsSync(path.join(outputDir, 'checkpoints'))) {
    throw new HoneError('NOT_RESUMABLE', `${outputDir} has no checkpoints to resume from.`, 'Give the --out folder of the run that was stopped.');
  }
  fs.mkdirSync(outputDir, { recursive: true });
  const runConfig: RunConfig = {
    model: opts.model,
    dataset: imported.trainPath,
    evalDataset: imported.evalPath,
    objective,
    plan,
    maxSteps: opts.maxSteps ?? null,
    epochs: opts.epochs,
    learningRate: opts.learningRate,
    seed: opts.seed,
    mergeOnFinish: opts.merge,
    memoryCheck: opts.memoryCheck ?? null,
  };
  const config = toSidecarConfig(plan, runConfig, { modelPath: model.path, outputDir, resumeFrom: opts.resume ? 'latest' : null });
  return { python, model, plan, outputDir, config };
}

export async function trainHeadless(ctx: CoreContext, opts: HeadlessTrainOptions): Promise<HeadlessTrainResult> {
  const { python, model, plan, outputDir, config } = await prepareHeadless(ctx, opts);
  const sidecar = new SidecarProcess({ python, pythonRuntimeDir: ctx.paths.pythonRuntimeDir, env: ctx.env, offline: true, cwd: outputDir, gpu: gpuFor(plan), launch: launchFor(plan, outputDir) });
  opts.onSidecar?.(sidecar);
  // The memory check is answered here, as the app's run sessions answer it (probe-host.ts).
  const probe = new ProbeHost({
    plan,
    options: opts.memoryCheck,
    answer: (d) => {
      try {
        sidecar.answerProbe(d);
      } catch {
        // The sidecar died while it waited: its exit says why.
      }
    },
  });
  sidecar.on('event', (e) => probe.onEvent(e));
  if (opts.onEvent) sidecar.on('event', opts.onEvent);
  const stop = () => void sidecar.stop().catch(() => {});
  opts.signal?.addEventListener('abort', stop, { once: true });
  try {
    checkCancelled(opts.signal);
    await sidecar.start(config);
    const exit = await sidecar.whenExited();
    return { outputDir, model, plan, exit, memory: probe.finish() };
  } finally {
    opts.signal?.removeEventListener('abort', stop);
    if (!sidecar.exited && sidecar.pid) await sidecar.kill();
  }
}
