/**
 * What the renderer knows about one run, built only from its numbered events (live or replayed):
 * metric series, the log tail, the latest progress. Applying the same event twice changes nothing,
 * and a resumed run that re-trains steps after its checkpoint replaces the old points instead of
 * drawing a loop, so the charts match the store's de-duplicated metrics.
 */
import type { RunEvent, RunStatus } from '../../../../electron/shared/types/runs';
import type { SidecarEvent } from '../../../../electron/shared/types/sidecar';

export class Series {
  readonly steps: number[] = [];
  readonly values: number[] = [];

  push(step: number, value: number): void {
    if (!Number.isFinite(value)) return;
    // A step at or before the last one means the trainer went back (resume): drop what it supersedes.
    while (this.steps.length && this.steps[this.steps.length - 1] >= step) {
      this.steps.pop();
      this.values.pop();
    }
    this.steps.push(step);
    this.values.push(value);
  }

  get length(): number {
    return this.steps.length;
  }

  last(): number | null {
    return this.values.length ? this.values[this.values.length - 1] : null;
  }
}

/** Fields of a metrics/eval event that are positions, not values to chart. */
const NOT_METRICS = new Set(['seq', 'ts', 'type', 'step', 'max_steps', 'epoch']);
const LOG_LIMIT = 1000;

export interface StageInfo {
  stage: string;
  done: number;
  total: number | null;
  unit: string;
}

/** The memory check that opens a run (issue #16), as its events tell it. */
export interface MemoryCheckState {
  /** Probe steps running now. */
  probing: boolean;
  attempt: number;
  measure: 'cuda' | 'rss' | null;
  /** The latest decision, in the planner's words: "Checking memory: 21.7 of 24 GB, fits." */
  message: string | null;
  action: 'accept' | 'retry' | 'abort' | null;
  verdict: string | null;
  /** Of the latest decision, on the budget's basis. */
  usedGb: number | null;
  budgetGb: number | null;
}

export class RunData {
  lastSeq = 0;
  status: RunStatus | null = null;
  readonly series = new Map<string, Series>();
  readonly logs: string[] = [];
  step = 0;
  maxSteps: number | null = null;
  epoch: number | null = null;
  stage: StageInfo | null = null;
  memoryCheck: MemoryCheckState | null = null;
  /** (time, step) of recent metrics, for the ETA. */
  readonly pace: { t: number; step: number }[] = [];

  constructor(readonly runId: string) {}

  /** Applies an event once; returns false for one already applied (seq not above lastSeq). */
  apply(e: RunEvent): boolean {
    if (e.runId !== this.runId || e.seq <= this.lastSeq) return false;
    this.lastSeq = e.seq;
    if (e.kind === 'status' && e.status) {
      this.status = e.status;
      // A new sidecar session starts: its pace is not comparable with the previous one's.
      if (e.status === 'preparing') this.pace.length = 0;
    }
    if (e.kind === 'sidecar' && e.event) this.applySidecar(e.event, Date.parse(e.ts));
    return true;
  }

  get(name: string): Series {
    let s = this.series.get(name);
    if (!s) this.series.set(name, (s = new Series()));
    return s;
  }

  /** Seconds per step over the recent window, or null until two points exist. */
  secondsPerStep(): number | null {
    if (this.pace.length < 2) return null;
    const a = this.pace[0];
    const b = this.pace[this.pace.length - 1];
    return b.step > a.step ? (b.t - a.t) / 1000 / (b.step - a.step) : null;
  }

  private applySidecar(ev: SidecarEvent, t: number): void {
    switch (ev.type) {
      case 'metrics': {
        this.step = ev.step;
        this.maxSteps = ev.max_steps ?? this.maxSteps;
        this.epoch = ev.epoch ?? this.epoch;
        this.values(ev as unknown as Record<string, unknown>, ev.step);
        this.pace.push({ t, step: ev.step });
        if (this.pace.length > 30) this.pace.shift();
        break;
      }
      case 'eval':
        this.values(ev as unknown as Record<string, unknown>, ev.step);
        break;
      case 'progress':
        this.stage = { stage: ev.stage, done: ev.done, total: ev.total, unit: ev.unit };
        if (ev.stage === 'checking_memory') this.check().probing = ev.total === null || ev.done < ev.total;
        break;
      case 'memory_probe': {
        const c = this.check();
        c.probing = false;
        c.attempt = ev.attempt;
        c.measure = ev.measure;
        this.log(`Memory check ${ev.attempt}: batch ${ev.batch_size} x ${ev.grad_accum}, ${ev.tokens} tokens per row: ${ev.peak_gb} GB ${ev.measure === 'cuda' ? 'peak reserved' : 'process memory growth'}${ev.oom ? ' (out of memory)' : ''}`);
        break;
      }
      case 'memory_check': {
        const c = this.check();
        Object.assign(c, { message: ev.message, action: ev.action, verdict: ev.verdict ?? null, usedGb: ev.used_gb ?? null, budgetGb: ev.budget_gb ?? null });
        this.log(`${ev.message}${ev.hint ? ` — ${ev.hint}` : ''}`);
        break;
      }
      case 'log':
        this.log(`${ev.level === 'info' ? '' : `[${ev.level}] `}${ev.message}`);
        break;
      case 'ready':
        this.log(`Sidecar ready: ${ev.backend} backend on ${ev.device} (torch ${ev.torch})`);
        break;
      case 'checkpoint':
        this.log(`Checkpoint saved at step ${ev.step}`);
        break;
      case 'artifact':
        this.log(`Saved ${ev.kind}: ${ev.path}`);
        break;
      case 'error':
        this.log(`[error] ${ev.code}: ${ev.message}${ev.hint ? ` — ${ev.hint}` : ''}`);
        break;
      case 'done':
        this.log(ev.stopped ? `Stopped at step ${ev.final_step}` : `Finished at step ${ev.final_step}`);
        break;
      default:
        break;
    }
  }

  private values(fields: Record<string, unknown>, step: number): void {
    for (const [name, value] of Object.entries(fields)) {
      if (NOT_METRICS.has(name) || typeof value !== 'number') continue;
      this.get(name).push(step, value);
    }
  }

  private check(): MemoryCheckState {
    if (!this.memoryCheck) this.memoryCheck = { probing: false, attempt: 0, measure: null, message: null, action: null, verdict: null, usedGb: null, budgetGb: null };
    return this.memoryCheck;
  }

  private log(line: string): void {
    this.logs.push(line);
    if (this.logs.length > LOG_LIMIT) this.logs.splice(0, this.logs.length - LOG_LIMIT);
  }
}

/** Highest value a series reached, or null before it has any. */
function highest(s: Series | undefined): number | null {
  return s && s.length ? Math.max(...s.values) : null;
}

export interface MemoryComparison {
  /** The planner's peak-VRAM estimate (the run's plan.estimated_vram_gb). */
  plannedGb: number;
  /** Highest per-interval peak the sidecar measured on the training GPU (PyTorch's reserved memory). */
  peakReservedGb: number | null;
  peakAllocatedGb: number | null;
  /** What the memory check measured at the settings it accepted (with the CUDA context on a GPU). */
  checkedGb?: number | null;
  /** "planned X GB, measured peak Y GB" */
  text: string;
}

/**
 * The plan's estimate against what was measured: on a GPU the training's peak reserved memory (the memory
 * check's until training reports one); on the CPU only when the run was checked (the process's memory growth
 * the check measured at the settings it accepted). null for an unchecked CPU run.
 */
export function memoryComparison(plan: { device: 'cuda' | 'cpu'; estimated_vram_gb: number } | null | undefined, data: RunData | null): MemoryComparison | null {
  if (!plan) return null;
  const check = data?.memoryCheck;
  const checkedGb = check?.action === 'accept' && check.usedGb !== null ? check.usedGb : null;
  const gb = (v: number) => `${v < 1 ? v.toFixed(2) : v.toFixed(1)} GB`;
  if (plan.device !== 'cuda') {
    if (checkedGb === null) return null;
    return { plannedGb: plan.estimated_vram_gb, peakReservedGb: null, peakAllocatedGb: null, checkedGb, text: `planned ${gb(plan.estimated_vram_gb)}, measured peak ${gb(checkedGb)} (process memory, in the memory check)` };
  }
  const peakReservedGb = highest(data?.series.get('peak_reserved_gb'));
  const peakAllocatedGb = highest(data?.series.get('peak_allocated_gb'));
  const measured = peakReservedGb !== null ? `measured peak ${gb(peakReservedGb)}` : checkedGb !== null ? `measured peak ${gb(checkedGb)} in the memory check` : 'measured peak: after the first step';
  return { plannedGb: plan.estimated_vram_gb, peakReservedGb, peakAllocatedGb, checkedGb, text: `planned ${gb(plan.estimated_vram_gb)}, ${measured}` };
}
