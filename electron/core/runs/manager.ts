/**
 * The run manager: the only place runs change state. One run trains at a time (Hone trains on the one
 * GPU picked in Hardware, or the CPU); later runs wait in a FIFO queue and are told their position.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { RunSummary } from '../../shared/types/runs';
import type { CoreContext } from '../context';
import { latestCheckpoint, type Checkpoint, type RunStore } from '../store';
import { defaultRunName, newRunId, runDir } from './ids';
import type { ModelResolver } from './prepare';
import { RunRecorder } from './recorder';
import { RunSession } from './session';
import { validateRunConfig } from './validate';
import { evaluateAfterTraining, getEvalService } from '../eval/service';

export interface ManagerOptions {
  resolveModel?: ModelResolver;
  stopTimeoutMs?: number;
}

export class RunManager {
  private readonly rec: RunRecorder;
  private readonly queue: string[] = [];
  private readonly resumeFrom = new Map<string, Checkpoint | null>();
  /** The run holding the GPU: training, then (evaluating) its evaluation after training. */
  private active: { session: RunSession; done: Promise<unknown>; evaluating: boolean } | null = null;
  private closing = false;

  constructor(private readonly ctx: CoreContext, private readonly store: RunStore, private readonly opts: ManagerOptions = {}) {
    this.rec = new RunRecorder(ctx, store);
  }

  start(input: unknown): RunSummary {
    if (this.closing) throw new HoneError('RUN_BUSY', 'Hone is shutting down.');
    const config = validateRunConfig(input);
    const id = newRunId();
    const outputDir = runDir(this.ctx.paths.dataDir, id);
    fs.mkdirSync(outputDir, { recursive: true });
    this.store.createRun({ id, name: config.name?.trim() || defaultRunName(config, id), config, plan: config.plan, outputDir, status: 'queued', ownerPid: process.pid });
    this.enqueue(id, null);
    return this.summary(id);
  }

  resume(runId: string): RunSummary {
    const run = this.summary(runId);
    if (this.isBusy(runId)) throw new HoneError('RUN_BUSY', `Run ${runId} is already ${run.status}.`);
    if (!run.resumable) {
      throw new HoneError('NOT_RESUMABLE', `Run ${runId} is ${run.status}${run.status === 'completed' ? '' : ' and has no checkpoint'}: it cannot be resumed.`, 'Start a new run with the same settings instead.');
    }
    // A crash can lose the last batch of metrics while the trainer still wrote a later checkpoint: resuming
    // from that one would leave a hole in the series, so resume from one the stored metrics reach.
    const ckpt = latestCheckpoint(this.store, runId, run.outputDir, this.store.series.lastMetricStep(runId));
    // The steps after the checkpoint are trained again: their old values must not stay beside the new ones.
    this.store.series.dropMetricsAfter(runId, ckpt?.step ?? 0);
    this.store.updateRun(runId, { step: ckpt?.step ?? 0, ownerPid: process.pid });
    this.enqueue(runId, ckpt);
    return this.summary(runId);
  }

  async stop(runId: string): Promise<RunSummary> {
    const queued = this.queue.indexOf(runId);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.resumeFrom.delete(runId);
      this.rec.status(runId, 'stopped', { endedAt: new Date().toISOString(), ownerPid: null });
      this.announceQueue();
    } else if (this.active?.session.runId === runId && !this.active.evaluating) {
      this.active.session.stop();
    } else if (getEvalService(this.ctx).stop(runId)) {
      // A completed run evaluating its held-out rows: the evaluation stops and keeps what it measured.
    } else {
      this.summary(runId); // NOT_FOUND for an unknown id; stopping an ended run changes nothing
    }
    return this.summary(runId);
  }

  delete(runId: string): void {
    const run = this.summary(runId);
    // Active in another Hone process on the same data folder counts too (a dead owner's run was recovered at start-up).
    if (getEvalService(this.ctx).isActive(runId)) throw new HoneError('RUN_BUSY', `Run ${runId} is being evaluated.`, 'Stop the evaluation first, then delete the run.');
    if (this.isBusy(runId) || ['queued', 'preparing', 'training', 'stopping'].includes(run.status)) {
      throw new HoneError('RUN_BUSY', `Run ${runId} is ${run.status}.`, 'Stop it first, then delete it.');
    }
    // Only a folder Hone made for the run is removed, never a path that happens to be stored.
    const runsRoot = path.join(this.ctx.paths.dataDir, 'runs');
    if (path.dirname(path.resolve(run.outputDir)) === path.resolve(runsRoot)) fs.rmSync(run.outputDir, { recursive: true, force: true });
    this.store.deleteRun(runId);
  }

  summary(runId: string): RunSummary {
    const run = this.store.getRun(runId);
    if (!run) throw new HoneError('NOT_FOUND', `No run "${runId}".`, 'List runs with `hone runs` or open the Runs page.');
    return this.decorate(run);
  }

  list(): RunSummary[] {
    return this.store.listRuns().map((r) => this.decorate(r));
  }

  decorate<T extends RunSummary>(run: T): T {
    const i = this.queue.indexOf(run.id);
    return i >= 0 ? { ...run, queuePosition: i + 1 } : run;
  }

  /** Shutdown: the training run stops gracefully (checkpoint saved); queued runs are marked stopped. */
  async close(timeoutMs = 60_000): Promise<void> {
    this.closing = true;
    for (const id of this.queue.splice(0)) this.rec.status(id, 'stopped', { endedAt: new Date().toISOString(), ownerPid: null });
    const active = this.active;
    if (!active) return;
    active.session.stop();
    await getEvalService(this.ctx).close();
    const timer = new Promise((r) => setTimeout(r, timeoutMs).unref());
    if ((await Promise.race([active.done.then(() => 'done'), timer])) !== 'done') {
      await active.session.kill();
      await active.done;
    }
  }

  /** The run training right now (not one evaluating after its training), if any. */
  trainingRunId(): string | null {
    return this.active && !this.active.evaluating ? this.active.session.runId : null;
  }

  private isBusy(runId: string): boolean {
    return this.queue.includes(runId) || this.active?.session.runId === runId;
  }

  private enqueue(runId: string, from: Checkpoint | null): void {
    this.resumeFrom.set(runId, from);
    this.queue.push(runId);
    this.rec.status(runId, 'queued', { endedAt: null, error: null });
    this.pump();
  }

  /** Re-announces queued runs so every client shows their new position. */
  private announceQueue(): void {
    for (const id of this.queue) this.rec.status(id, 'queued');
  }

  private pump(): void {
    if (this.active || this.closing) return;
    const runId = this.queue.shift();
    if (!runId) return;
    const row = this.store.getRun(runId);
    const config = this.store.config(runId);
    if (!row || !config) return this.pump();
    const session = new RunSession(this.ctx, this.rec, {
      runId,
      config,
      plan: config.plan,
      outputDir: row.outputDir,
      startedAt: row.startedAt,
      resumeFrom: this.resumeFrom.get(runId) ?? null,
      resolveModel: this.opts.resolveModel,
      stopTimeoutMs: this.opts.stopTimeoutMs,
      memory: row.memory ?? null,
    });
    this.resumeFrom.delete(runId);
    const release = () => {
      this.active = null;
      this.pump();
    };
    // The evaluation after training holds the queue too: the next run would compete for the same GPU. A run
    // that did not complete releases it at once (session.run() never rejects, nor does the evaluation).
    const done = session.run().then((status) => {
      if (status !== 'completed' || this.closing || !this.active) return release();
      this.active.evaluating = true;
      return evaluateAfterTraining(this.ctx, runId).finally(release);
    });
    this.active = { session, done, evaluating: false };
    this.announceQueue();
  }
}
