/**
 * One attempt at a run: prepare, start the sidecar, follow it to its exit, and decide the run's final
 * status from how it ended. A resumed run is a new session on the same run, starting from a checkpoint.
 */
import os from 'node:os';
import { HoneError, isErrorCode, toErrorInfo } from '../../shared/errors';
import type { Plan } from '../../shared/types/plan';
import type { RunConfig, RunStatus } from '../../shared/types/runs';
import type { CoreContext } from '../context';
import { gpuFor, SidecarProcess, toSidecarConfig, type SidecarExit } from '../sidecar';
import { ProbeHost } from '../sidecar/probe-host';
import type { RunMemory } from '../../shared/types/memory';
import type { Checkpoint, RunError } from '../store';
import { prepareRun, type ModelResolver } from './prepare';
import type { RunRecorder } from './recorder';

export interface SessionOptions {
  runId: string;
  config: RunConfig;
  plan: Plan;
  outputDir: string;
  startedAt: string | null;
  resumeFrom: Checkpoint | null;
  resolveModel?: ModelResolver;
  /** After `stop`, how long the step and the save may take before the process tree is killed. */
  stopTimeoutMs?: number;
  /** The run's memory record so far (a resumed run keeps its check). */
  memory?: RunMemory | null;
}

export class RunSession {
  private sidecar: SidecarProcess | null = null;
  private stopRequested = false;
  private training = false;

  constructor(private readonly ctx: CoreContext, private readonly rec: RunRecorder, private readonly o: SessionOptions) {}

  get runId(): string {
    return this.o.runId;
  }

  /** Runs to the end; never throws (every failure becomes the run's `failed` status). */
  async run(): Promise<RunStatus> {
    const { runId } = this.o;
    this.rec.status(runId, 'preparing', { startedAt: this.o.startedAt ?? new Date().toISOString(), endedAt: null, error: null, ownerPid: process.pid });
    let exit: SidecarExit;
    let startError: unknown = null;
    try {
      const prepared = await prepareRun(this.ctx, this.o.config, this.o.resolveModel);
      if (this.stopRequested) return this.end('stopped');
      const sidecar = new SidecarProcess({
        python: prepared.python,
        pythonRuntimeDir: this.ctx.paths.pythonRuntimeDir,
        env: this.ctx.env,
        offline: true,
        // Trains on the GPU the plan was made for (CUDA_VISIBLE_DEVICES), in nvidia-smi's order.
        gpu: gpuFor(this.o.plan),
        stopTimeoutMs: this.o.stopTimeoutMs,
      });
      this.sidecar = sidecar;
      const probe = this.probeHost(sidecar);
      sidecar.on('event', (e) => {
        this.rec.sidecar(runId, e);
        probe.onEvent(e);
        if (!this.training && !this.stopRequested && ((e.type === 'progress' && e.stage === 'training') || e.type === 'metrics')) {
          this.training = true;
          this.rec.status(runId, 'training');
        }
      });
      sidecar.on('stderr', (line) => this.rec.stderr(runId, line));
      const config = toSidecarConfig(this.o.plan, this.o.config, {
        modelPath: prepared.modelPath,
        datasetPath: prepared.datasetPath,
        evalDatasetPath: prepared.evalDatasetPath,
        outputDir: this.o.outputDir,
        resumeFrom: this.o.resumeFrom?.path ?? null,
      });
      try {
        await sidecar.start(config);
        // A stop that arrived while the sidecar was importing torch is delivered now.
        if (this.stopRequested) void sidecar.stop();
      } catch (err) {
        startError = err;
      }
      exit = await sidecar.whenExited();
      probe.finish();
    } catch (err) {
      return this.fail(toErrorInfo(err));
    }
    return this.finish(exit, startError);
  }

  /**
   * The memory check's host: answers the sidecar's probes with the planner's decision and keeps the run's
   * memory record; when the check settles on other settings than planned, the stored config follows.
   */
  private probeHost(sidecar: SidecarProcess): ProbeHost {
    const { runId, config, plan } = this.o;
    let recorded = false;
    return new ProbeHost({
      plan,
      options: config.memoryCheck,
      memory: this.o.memory,
      answer: (d) => {
        try {
          sidecar.answerProbe(d);
        } catch {
          // The sidecar died while it waited: its exit says why.
        }
      },
      onRecord: (memory) => {
        this.rec.memory(runId, memory);
        const a = memory.check?.applied;
        if (!a || recorded || (a.batchSize === plan.batch_size && a.gradAccum === plan.grad_accum && a.maxSeqLength === plan.max_seq_length)) return;
        recorded = true;
        const checked = { ...plan, batch_size: a.batchSize, grad_accum: a.gradAccum, effective_batch: a.batchSize * a.gradAccum, max_seq_length: a.maxSeqLength };
        this.rec.config(runId, { ...config, plan: checked });
      },
    });
  }

  /** Graceful: the sidecar finishes its step, saves a checkpoint and the adapter, then exits. */
  stop(): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    this.rec.status(this.o.runId, 'stopping');
    const sidecar = this.sidecar;
    if (sidecar && !sidecar.exited && sidecar.pid !== null) void sidecar.stop().catch(() => undefined);
  }

  /** Immediate: for shutdown when a graceful stop took too long. */
  async kill(): Promise<void> {
    if (this.sidecar && !this.sidecar.exited) await this.sidecar.kill().catch(() => undefined);
  }

  private finish(exit: SidecarExit, startError: unknown): RunStatus {
    // A signal death is reported the way a shell does (128 + signal number: 137 for SIGKILL).
    const exitCode = exit.code ?? (exit.signal ? 128 + (os.constants.signals[exit.signal] ?? 0) : null);
    // The run's log table holds the process's own tail plus what Hone recorded around it.
    const logTail = this.rec.logTail(this.o.runId);
    const detail = { exitCode, logTail: logTail.length ? logTail : exit.tail };
    if (exit.done && !exit.done.stopped) return this.end('completed', exit.done.final_loss);
    if (exit.done?.stopped) return this.end('stopped', exit.done.final_loss);
    if (exit.error) {
      const e = exit.error;
      return this.fail({ code: isErrorCode(e.code) ? e.code : 'SIDECAR_CRASHED', message: e.message, hint: e.hint, ...detail });
    }
    // Killed after the stop timeout: the user asked for it, and whatever checkpoint exists stays.
    if (this.stopRequested) return this.end('stopped');
    if (startError instanceof HoneError && startError.code !== 'SIDECAR_CRASHED') return this.fail({ ...toErrorInfo(startError), ...detail });
    const how = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
    return this.fail({
      code: 'SIDECAR_CRASHED',
      message: `The training process ${how} without finishing.`,
      hint: 'Everything up to the last checkpoint is kept: resume the run. The log lines below say what happened.',
      ...detail,
    });
  }

  private end(status: 'completed' | 'stopped', finalLoss?: number | null): RunStatus {
    this.rec.status(this.o.runId, status, { endedAt: new Date().toISOString(), ownerPid: null, ...(finalLoss != null ? { finalLoss } : {}) });
    return status;
  }

  private fail(error: RunError): RunStatus {
    this.rec.status(this.o.runId, 'failed', { endedAt: new Date().toISOString(), ownerPid: null, error });
    return 'failed';
  }
}
