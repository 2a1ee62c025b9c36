/**
 * The evaluation service: evaluates a run (base vs tuned through the sidecar), optionally its Ollama leg,
 * stores each report on the run (SQLite eval_reports, and eval_report.json in the run folder), and pushes
 * 'eval.progress'. One evaluation per run at a time; each can be stopped, keeping the rows it finished.
 * The app, the run manager (after training) and `hone eval` all go through here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HoneError, toErrorInfo } from '../../shared/errors';
import type { EvalProgressInfo, EvalRecord, EvalReport, EvalStatus } from '../../shared/types/eval';
import { perContext, type CoreContext } from '../context';
import { getRuntime } from '../runtime/service';
import { getRunStore } from '../store';
import { DEFAULT_LIMIT, defaultMaxNewTokens } from './defaults';
import { runOllamaLeg } from './ollama-leg';
import { runSidecarEval } from './sidecar-eval';
import { noEvalData, resolveEvalTarget, type EvalTarget } from './source';

export const FOLDER_REPORT = 'eval_report.json';

export interface EvalOptions {
  /** A file of held-out rows instead of the run's own. */
  data?: string | null;
  limit?: number;
  maxNewTokens?: number;
  trigger?: EvalRecord['trigger'];
  /** Resolves relative paths (the CLI's working directory). */
  cwd?: string;
  signal?: AbortSignal;
  onProgress?(p: EvalProgressInfo): void;
}

export interface OllamaOptions {
  tunedModel?: string;
  baseModel?: string;
  cwd?: string;
  signal?: AbortSignal;
  onProgress?(p: EvalProgressInfo): void;
}

export interface EvalOutcome {
  target: EvalTarget;
  /** The stored record; null for a run folder Hone's database does not know. */
  record: EvalRecord | null;
  report: EvalReport | null;
  status: Exclude<EvalStatus, 'running'>;
}

interface Active {
  abort: AbortController;
  evalId: string;
  runId: string | null;
  progress: EvalProgressInfo | null;
}

interface Prepared {
  target: EvalTarget;
  python: string;
  key: string;
  active: Active;
  record: EvalRecord | null;
}

const newId = () => `ev_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

function positiveInt(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new HoneError('BAD_REQUEST', `${name} must be a whole number of at least 1.`);
  return v;
}

export class EvalService {
  private readonly active = new Map<string, Active>();

  constructor(private readonly ctx: CoreContext) {}

  /** Starts an evaluation and resolves with its record once it runs; the rest arrives as 'eval.progress'. */
  async start(ref: string, opts: EvalOptions = {}): Promise<EvalRecord> {
    const prepared = await this.prepare(ref, opts);
    if (!prepared.record) {
      this.release(prepared);
      throw new HoneError('NOT_FOUND', `${ref} is not a run in Hone's list.`, 'Evaluate a run folder from the command line: hone eval <folder>.');
    }
    void this.execute(prepared, opts).catch(() => undefined); // the record keeps the error
    return this.latest(prepared.record.runId)!;
  }

  /** Evaluates and resolves at the end; throws when it failed (the record keeps the error too). */
  async run(ref: string, opts: EvalOptions = {}): Promise<EvalOutcome> {
    return this.execute(await this.prepare(ref, opts), opts);
  }

  /** Stops a run's evaluation (or Ollama leg) after the reply in progress. */
  stop(runId: string): boolean {
    const a = [...this.active.values()].find((x) => x.runId === runId);
    if (!a) return false;
    a.abort.abort();
    return true;
  }

  isActive(runId: string): boolean {
    return [...this.active.values()].some((x) => x.runId === runId);
  }

  /** The run's newest evaluation, with live progress while it runs. */
  latest(runId: string): EvalRecord | null {
    const rec = getRunStore(this.ctx).evals.latest(runId);
    if (!rec) return null;
    const live = [...this.active.values()].find((a) => a.evalId === rec.id);
    return live ? { ...rec, progress: live.progress } : rec;
  }

  /** The newest report's rows through Ollama, added to that report. */
  async ollama(ref: string, opts: OllamaOptions = {}): Promise<EvalOutcome> {
    const target = await resolveEvalTarget(this.ctx, ref, { cwd: opts.cwd });
    const store = getRunStore(this.ctx);
    const record = target.runId ? store.evals.latestWithReport(target.runId) : null;
    const report = record?.report ?? readFolderReport(target.outputDir);
    if (!report || report.n === 0) throw new HoneError('NOT_FOUND', `Run "${target.name}" has no evaluation report yet.`, 'Evaluate it first (the run page, or `hone eval <run>`), then run the Ollama leg.');
    const python = await getRuntime(this.ctx).requirePython();
    const key = target.runId ?? target.outputDir;
    const active = this.claim(key, record?.id ?? newId(), target.runId);
    const progress = (p: EvalProgressInfo) => this.progress(active, 'running', p, opts.onProgress);
    opts.signal?.addEventListener('abort', () => active.abort.abort(), { once: true });
    try {
      const ollama = await runOllamaLeg({ ctx: this.ctx, python, report, target, tunedModel: opts.tunedModel, baseModel: opts.baseModel, signal: active.abort.signal, onProgress: progress });
      const updated: EvalReport = { ...report, ollama };
      const rec = record ? store.evals.updateReport(record.id, updated) : null;
      writeFolderReport(target.outputDir, updated);
      this.progress(active, 'completed', { stage: 'done', done: 1, total: 1, unit: 'step' }, opts.onProgress);
      return { target, record: rec, report: updated, status: 'completed' };
    } catch (err) {
      const info = toErrorInfo(err);
      this.progress(active, info.code === 'CANCELLED' ? 'stopped' : 'failed', { stage: 'ollama', done: 0, total: null, unit: 'step' }, opts.onProgress, info);
      throw err;
    } finally {
      this.active.delete(key);
    }
  }

  async close(): Promise<void> {
    for (const a of this.active.values()) a.abort.abort();
  }

  // -- pieces ---------------------------------------------------------------------------------------
  private claim(key: string, evalId: string, runId: string | null): Active {
    if (this.active.has(key)) throw new HoneError('RUN_BUSY', 'This run is already being evaluated.', 'Wait for it to finish, or stop it.');
    const a: Active = { abort: new AbortController(), evalId, runId, progress: null };
    this.active.set(key, a);
    return a;
  }

  private release(p: Prepared): void {
    this.active.delete(p.key);
  }

  private progress(a: Active, status: EvalStatus, p: EvalProgressInfo, cb?: (p: EvalProgressInfo) => void, error?: ReturnType<typeof toErrorInfo>): void {
    a.progress = p;
    cb?.(p);
    if (a.runId) this.ctx.bus.emit('eval.progress', { runId: a.runId, evalId: a.evalId, status, ...p, ...(error ? { error } : {}) });
  }

  private async prepare(ref: string, opts: EvalOptions): Promise<Prepared> {
    positiveInt(opts.limit, 'limit');
    positiveInt(opts.maxNewTokens, 'maxNewTokens');
    const target = await resolveEvalTarget(this.ctx, ref, { data: opts.data, cwd: opts.cwd });
    if (!target.data) throw noEvalData(target);
    const python = await getRuntime(this.ctx).requirePython();
    const key = target.runId ?? target.outputDir;
    const evalId = newId();
    const active = this.claim(key, evalId, target.runId);
    const record = target.runId
      ? getRunStore(this.ctx).evals.create({ id: evalId, runId: target.runId, trigger: opts.trigger ?? 'manual', dataPath: target.data.path, dataSource: target.data.source, ownerPid: process.pid })
      : null;
    return { target, python, key, active, record };
  }

  private async execute(p: Prepared, opts: EvalOptions): Promise<EvalOutcome> {
    const { target, active } = p;
    const store = getRunStore(this.ctx);
    const data = target.data!;
    const limit = opts.limit ?? (target.device === 'cpu' ? DEFAULT_LIMIT.cpu : DEFAULT_LIMIT.gpu);
    const maxNewTokens = opts.maxNewTokens ?? defaultMaxNewTokens(data.path, target.objective, limit);
    const onProgress = (x: EvalProgressInfo) => this.progress(active, 'running', x, opts.onProgress);
    opts.signal?.addEventListener('abort', () => active.abort.abort(), { once: true });
    try {
      onProgress({ stage: 'starting', done: 0, total: null, unit: 'step' });
      const { report, stopped } = await runSidecarEval({
        python: p.python,
        pythonRuntimeDir: this.ctx.paths.pythonRuntimeDir,
        env: this.ctx.env,
        gpu: target.gpu,
        signal: active.abort.signal,
        onProgress,
        config: {
          model_path: target.baseModelPath,
          dataset_path: data.path,
          adapter_path: target.adapterPath,
          tuned_model_path: target.adapterPath ? null : target.tunedModelPath,
          objective: target.objective,
          limit,
          max_new_tokens: maxNewTokens,
          max_seq_length: target.maxSeqLength,
          load_in_4bit: target.loadIn4bit,
        },
      });
      const status = stopped ? 'stopped' : 'completed';
      const record = p.record ? store.evals.finish(p.record.id, status, report, null) : null;
      writeFolderReport(target.outputDir, report);
      this.progress(active, status, { stage: 'done', done: report.n, total: report.n, unit: 'row' }, opts.onProgress);
      return { target, record, report, status };
    } catch (err) {
      const info = toErrorInfo(err);
      const status = info.code === 'CANCELLED' ? 'stopped' : 'failed';
      if (p.record) store.evals.finish(p.record.id, status, null, info);
      this.progress(active, status, { stage: 'done', done: 0, total: null, unit: 'row' }, opts.onProgress, info);
      throw err;
    } finally {
      this.release(p);
    }
  }
}

/** The report beside the run's files, so a copied run folder keeps it (only folders a training wrote). */
export function writeFolderReport(outputDir: string, report: EvalReport): void {
  if (!fs.existsSync(path.join(outputDir, 'summary.json'))) return;
  const file = path.join(outputDir, FOLDER_REPORT);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify({ savedAt: new Date().toISOString(), report }, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

export function readFolderReport(outputDir: string): EvalReport | null {
  try {
    return (JSON.parse(fs.readFileSync(path.join(outputDir, FOLDER_REPORT), 'utf8')) as { report: EvalReport }).report;
  } catch {
    return null;
  }
}

export const getEvalService = perContext((ctx: CoreContext) => {
  const service = new EvalService(ctx);
  ctx.onClose(() => service.close());
  return service;
});

/**
 * After a run completes: evaluate it when it has held-out rows and the setting is on. Never throws (a
 * failed evaluation is recorded on its report, not on the run).
 */
export async function evaluateAfterTraining(ctx: CoreContext, runId: string): Promise<void> {
  if (ctx.settings.get().evalAfterTraining === false) return;
  try {
    const target = await resolveEvalTarget(ctx, runId);
    if (!target.data) return;
    await getEvalService(ctx).run(runId, { trigger: 'auto' });
  } catch {
    // recorded on the evaluation (or nothing to evaluate)
  }
}
