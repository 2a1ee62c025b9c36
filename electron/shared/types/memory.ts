/**
 * The memory check that opens a run (issue #16): a few optimiser steps on the longest rows at the planned
 * batch and sequence length, measured, then a verdict from the planner (electron/core/planner/probe-decision.ts).
 * These are its options, its verdicts and what a run's record keeps of it.
 */

/** Options of a run's memory check (RunConfig.memoryCheck). */
export interface MemoryCheckOptions {
  /** Skip the check (GPU runs check by default; CPU runs only with a budget). */
  skip?: boolean;
  /** Check against this many GB (below the plan's budget on a GPU); on the CPU it turns the check on. */
  budgetGb?: number | null;
  /** The user agrees that rows may be cut to a shorter max_seq_length when even batch 1 does not fit. */
  allowTruncation?: boolean;
  /** When the check finds lots of room, probe a larger batch (same effective batch) and train with it if it fits. */
  takeFaster?: boolean;
}

export interface TrainSettings {
  batchSize: number;
  gradAccum: number;
  maxSeqLength: number;
}

export type ProbeAction = 'accept' | 'retry' | 'abort';

/**
 * fits / replanned / faster: accepted (as planned, after shrinking, or a faster plan that fitted);
 * smaller / trying_faster: probe again with other settings;
 * does_not_fit / needs_consent: the run stops (needs_consent: cutting rows would fit, if the user agrees).
 */
export type ProbeVerdict = 'fits' | 'replanned' | 'faster' | 'smaller' | 'trying_faster' | 'does_not_fit' | 'needs_consent';

/** One probe: settings, and what was measured, comparable with the budget. */
export interface ProbeReading extends TrainSettings {
  attempt: number;
  /** What the sidecar measured: torch's peak reserved memory (CUDA) or the process's RSS growth (CPU). */
  measuredGb: number;
  /** The same on the budget's basis: the CUDA context added on a GPU (planner/memory.ts CUDA_CONTEXT_GIB). */
  usedGb: number;
  allocatedGb?: number | null;
  /** The probe itself ran out of memory (CUDA): usedGb is then a lower bound. */
  oom?: boolean;
  /** Tokens per row in the probe's batches (its longest rows, as cut by max_seq_length). */
  tokens: number;
  seconds: number;
}

export interface ProbeDecision {
  action: ProbeAction;
  verdict: ProbeVerdict;
  /** accept: train with these; retry: probe these next; abort: the last ones probed. */
  settings: TrainSettings;
  budgetGb: number;
  marginGb: number;
  usableGb: number;
  /** The reading decided on (comparable with budgetGb). */
  usedGb: number;
  /** One line for the run page and the terminal: "Checking memory: 21.7 of 24 GB, fits". */
  message: string;
  hint?: string;
  /** A faster plan the check found room for, when it was not taken. */
  offer?: { settings: TrainSettings; predictedGb: number } | null;
  /** Rows a shorter max_seq_length cuts (retry or needs_consent by sequence). */
  truncatedRows?: number;
}

/** What a run's record keeps of its memory (runs.memory in the store). */
export interface RunMemory {
  device: 'cuda' | 'cpu';
  /** The planner's peak estimate at the planned settings (plan.estimated_vram_gb). */
  plannedGb: number;
  planned: TrainSettings;
  /** GB the budget's basis adds to torch's reserved memory: the CUDA context on a GPU, 0 on the CPU. */
  contextGb?: number;
  /** 'cuda': torch's reserved memory; 'rss': the sidecar's process memory growth (CPU). */
  measure?: 'cuda' | 'rss' | null;
  check?: {
    budgetGb: number;
    marginGb: number;
    verdict: ProbeVerdict | 'stopped';
    message: string;
    readings: ProbeReading[];
    /** The settings trained with, when the check accepted. */
    applied?: TrainSettings | null;
    offer?: ProbeDecision['offer'];
  } | null;
  /** Highest per-interval peak during training (peak_reserved_gb, CUDA), as measured; null on the CPU. */
  trainingPeakGb?: number | null;
}
