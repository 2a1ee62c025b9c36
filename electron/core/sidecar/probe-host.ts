/**
 * The host's side of the memory check (issue #16): the sidecar measures and asks, this answers with the
 * planner's decision (planner/probe-decision.ts) and keeps the run's memory record: the plan's estimate, every
 * reading, the verdict, the settings trained with, the training peak. The run manager's sessions and
 * `hone train` both use it, so the app and the CLI decide alike.
 */
import type { MemoryCheckOptions, ProbeDecision, ProbeReading, RunMemory, TrainSettings } from '../../shared/types/memory';
import type { Plan } from '../../shared/types/plan';
import type { MemoryProbeFields, ProbeDecisionFields, SidecarEvent } from '../../shared/types/sidecar';
import { CUDA_CONTEXT_GIB } from '../planner/memory';
import { decideAfterProbe } from '../planner/probe-decision';

export function plannedSettings(plan: Pick<Plan, 'batch_size' | 'grad_accum' | 'max_seq_length'>): TrainSettings {
  return { batchSize: plan.batch_size, gradAccum: plan.grad_accum, maxSeqLength: plan.max_seq_length };
}

/** A run's memory record before any measurement. */
export function initialMemory(plan: Plan): RunMemory {
  return { device: plan.device, plannedGb: plan.estimated_vram_gb, planned: plannedSettings(plan), contextGb: plan.device === 'cuda' ? CUDA_CONTEXT_GIB : 0, measure: null, check: null, trainingPeakGb: null };
}

/** The measured peak on the budget's basis: the budget is free VRAM before the process, context included. */
export function usedGbOf(e: Pick<MemoryProbeFields, 'measure' | 'peak_gb'>): number {
  return Math.round((e.measure === 'cuda' ? e.peak_gb + CUDA_CONTEXT_GIB : e.peak_gb) * 1000) / 1000;
}

/**
 * What the check holds the peak to. On a GPU: the plan's budget (free VRAM when it was made), lower if the user
 * set a budget, lower still if other programs took memory since (what the process could hold now, plus its
 * context). On the CPU: the budget the user set, else the RAM the plan was made against.
 */
export function checkBudgetGb(plan: Pick<Plan, 'vram_budget_gb'>, options: MemoryCheckOptions | null | undefined, e: Pick<MemoryProbeFields, 'measure' | 'available_gb'>): number {
  const limits = [plan.vram_budget_gb > 0 ? plan.vram_budget_gb : Infinity, options?.budgetGb && options.budgetGb > 0 ? options.budgetGb : Infinity];
  if (e.measure === 'cuda' && typeof e.available_gb === 'number') limits.push(e.available_gb + CUDA_CONTEXT_GIB);
  const b = Math.min(...limits);
  return Number.isFinite(b) ? b : 0;
}

export interface ProbeHostOptions {
  plan: Plan;
  options?: MemoryCheckOptions | null;
  /** Sends the decision to the sidecar (SidecarProcess.answerProbe). */
  answer(decision: ProbeDecisionFields): void;
  /** The record changed: store it. */
  onRecord?(memory: RunMemory): void;
  /** An earlier session's record (a resumed run keeps its check). */
  memory?: RunMemory | null;
}

export class ProbeHost {
  readonly memory: RunMemory;
  private readonly readings: ProbeReading[] = [];
  private lastDecision: ProbeDecision | null = null;

  constructor(private readonly o: ProbeHostOptions) {
    this.memory = o.memory ? { ...o.memory } : initialMemory(o.plan);
  }

  /** Every sidecar event of the run goes through here. */
  onEvent(e: SidecarEvent): void {
    if (e.type === 'memory_probe') this.decide(e);
    else if (e.type === 'metrics' && typeof e.peak_reserved_gb === 'number') {
      if (e.peak_reserved_gb > (this.memory.trainingPeakGb ?? 0)) {
        this.memory.trainingPeakGb = e.peak_reserved_gb;
        this.memory.measure = this.memory.measure ?? 'cuda';
      }
    }
  }

  /** The run ended: a check left waiting to probe again (a stop, a crash) is marked stopped. */
  finish(): RunMemory {
    const c = this.memory.check;
    if (c && this.lastDecision?.action === 'retry') {
      this.memory.check = { ...c, verdict: 'stopped', message: `${c.message} The run ended before the check finished.` };
    }
    this.o.onRecord?.(this.memory);
    return this.memory;
  }

  private decide(e: Extract<SidecarEvent, { type: 'memory_probe' }>): void {
    const { plan, options } = this.o;
    const reading: ProbeReading = {
      attempt: e.attempt,
      batchSize: e.batch_size,
      gradAccum: e.grad_accum,
      maxSeqLength: e.max_seq_length,
      measuredGb: e.peak_gb,
      usedGb: usedGbOf(e),
      allocatedGb: e.peak_allocated_gb ?? null,
      ...(e.oom ? { oom: true } : {}),
      tokens: e.tokens,
      seconds: e.seconds,
    };
    this.readings.push(reading);
    const budgetGb = checkBudgetGb(plan, options, e);
    const d = decideAfterProbe({
      device: e.measure === 'cuda' ? 'cuda' : 'cpu',
      budgetGb,
      objective: plan.objective,
      planned: plannedSettings(plan),
      activationShare: plan.estimated_vram_gb > 0 ? plan.breakdown.activationsGb / plan.estimated_vram_gb : 0.5,
      readings: this.readings,
      rowTokens: e.row_tokens,
      rows: e.rows,
      allowTruncation: options?.allowTruncation === true,
      takeFaster: options?.takeFaster === true,
    });
    this.lastDecision = d;
    this.memory.measure = e.measure;
    this.memory.check = {
      budgetGb: d.budgetGb,
      marginGb: d.marginGb,
      verdict: d.verdict,
      message: d.message,
      readings: [...this.readings],
      applied: d.action === 'accept' ? d.settings : null,
      offer: d.offer ?? null,
    };
    this.o.onRecord?.(this.memory);
    const round = (v: number) => Math.round(v * 1000) / 1000;
    this.o.answer({
      action: d.action,
      verdict: d.verdict,
      batch_size: d.settings.batchSize,
      grad_accum: d.settings.gradAccum,
      max_seq_length: d.settings.maxSeqLength,
      used_gb: round(d.usedGb),
      budget_gb: round(d.budgetGb),
      message: d.message,
      ...(d.hint ? { hint: d.hint } : {}),
    });
  }
}
