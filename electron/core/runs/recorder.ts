/**
 * The one writer of a run's history: every status change and sidecar event is numbered, stored and
 * pushed to the bus here, so what a client sees live and what it replays later are the same events.
 */
import type { RunConfig, RunEvent, RunStatus } from '../../shared/types/runs';
import type { RunMemory } from '../../shared/types/memory';
import type { SidecarEvent } from '../../shared/types/sidecar';
import type { CoreContext } from '../context';
import type { RunPatch, RunStore } from '../store';

/** Fields of metrics/eval events that locate a value rather than being one. */
const POSITION_FIELDS = new Set(['type', 'seq', 'ts', 'step', 'max_steps']);

export class RunRecorder {
  constructor(private readonly ctx: CoreContext, private readonly store: RunStore) {}

  status(runId: string, status: RunStatus, patch: RunPatch = {}): RunEvent {
    this.store.updateRun(runId, { ...patch, status });
    return this.push(this.store.series.append(runId, { kind: 'status', status }));
  }

  sidecar(runId: string, event: SidecarEvent): RunEvent {
    this.apply(runId, event);
    return this.push(this.store.series.append(runId, { kind: 'sidecar', event }));
  }

  /** The run's memory record (planned, checked, measured), kept in the runs table. */
  memory(runId: string, memory: RunMemory): void {
    this.store.updateRun(runId, { memory });
  }

  /** The memory check changed the settings the run trains with: the stored config says what was trained. */
  config(runId: string, config: RunConfig): void {
    this.store.updateRun(runId, { config });
  }

  /** Library chatter on stderr: kept in the log table for `runs.logs`, not replayed as events. */
  stderr(runId: string, line: string): void {
    this.store.series.log(runId, 'stderr', line);
  }

  /** The run's last log lines (stderr, log events, checkpoints...), oldest first. */
  logTail(runId: string, lines = 50): string[] {
    return this.store.series.logs(runId, lines);
  }

  private push(event: RunEvent): RunEvent {
    this.ctx.bus.emit('runs.event', event);
    return event;
  }

  private apply(runId: string, e: SidecarEvent): void {
    const s = this.store;
    switch (e.type) {
      case 'metrics':
        this.values(runId, e as unknown as Record<string, unknown>, e.step);
        s.stepReached(runId, e.step, e.max_steps ?? null, typeof e.loss === 'number' ? e.loss : null);
        break;
      case 'eval':
        this.values(runId, e as unknown as Record<string, unknown>, e.step);
        break;
      case 'log':
        s.series.log(runId, e.level, e.message);
        break;
      case 'error':
        s.series.log(runId, 'error', `${e.code}: ${e.message}${e.hint ? ` (${e.hint})` : ''}`);
        break;
      case 'ready':
        s.series.log(runId, 'info', `sidecar ready: ${e.backend} backend on ${e.device}, torch ${e.torch}`);
        break;
      case 'checkpoint':
        s.addCheckpoint(runId, e.step, e.path);
        s.series.log(runId, 'info', `checkpoint at step ${e.step}: ${e.path}`);
        break;
      case 'artifact':
        s.addArtifact(runId, e.kind, e.path);
        s.series.log(runId, 'info', `saved ${e.kind}: ${e.path}`);
        break;
      case 'memory_probe':
        s.series.log(runId, 'info', `memory check ${e.attempt}: batch ${e.batch_size} x ${e.grad_accum} at ${e.tokens} tokens per row measured ${e.peak_gb} GB (${e.measure === 'cuda' ? 'peak reserved' : 'process memory growth'}${e.oom ? ', out of memory' : ''}) in ${e.seconds} s`);
        break;
      case 'memory_check':
        s.series.log(runId, e.action === 'abort' ? 'error' : 'info', `${e.message}${e.hint ? ` (${e.hint})` : ''}`);
        break;
      case 'done':
        s.stepReached(runId, e.final_step, null, e.final_loss);
        s.series.log(runId, 'info', `${e.stopped ? 'stopped' : 'finished'} at step ${e.final_step}, loss ${e.final_loss ?? 'n/a'}`);
        break;
      default:
        break;
    }
  }

  /** Every numeric value the trainer logged, not only the loss. */
  private values(runId: string, fields: Record<string, unknown>, step: number): void {
    for (const [name, value] of Object.entries(fields)) {
      if (!POSITION_FIELDS.has(name) && typeof value === 'number') this.store.series.metric(runId, name, step, value);
    }
  }
}
