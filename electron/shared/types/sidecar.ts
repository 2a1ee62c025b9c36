import type { EvalReport } from './eval';

/**
 * The sidecar's JSON-lines protocol, mirrored from python-runtime/hone_sidecar/protocol.schema.json.
 * Both sides are tested against that schema.
 */
export interface SidecarBase {
  seq: number;
  /** ISO 8601 */
  ts: string;
}

export interface SidecarMetrics {
  step: number;
  max_steps: number;
  epoch: number;
  loss?: number;
  learning_rate?: number;
  grad_norm?: number;
  tokens_per_second?: number;
  gpu_mem_allocated_gb?: number;
  gpu_mem_reserved_gb?: number;
  /** Peak allocated / reserved on the training GPU during this logging interval (reset after each read). */
  peak_allocated_gb?: number;
  peak_reserved_gb?: number;
  gpu_util?: number;
  'rewards/chosen'?: number;
  'rewards/rejected'?: number;
  'rewards/margins'?: number;
  'rewards/accuracies'?: number;
  [name: string]: number | undefined;
}

export type SidecarEvent = SidecarBase &
  (
    | { type: 'ready'; version: string; backend: 'unsloth' | 'plain'; device: string; torch: string; cuda: boolean }
    | { type: 'log'; level: 'debug' | 'info' | 'warning' | 'error'; message: string }
    | { type: 'progress'; stage: string; done: number; total: number | null; unit: string }
    | ({ type: 'metrics' } & SidecarMetrics)
    | { type: 'eval'; step: number; eval_loss: number; [k: string]: unknown }
    | { type: 'checkpoint'; step: number; path: string }
    | { type: 'artifact'; kind: 'adapter' | 'merged' | 'summary' | 'gguf'; path: string }
    | { type: 'done'; stopped: boolean; final_step: number; final_loss: number | null; output_dir: string }
    | { type: 'error'; code: string; message: string; hint?: string; step?: number; [k: string]: unknown }
    | { type: 'report'; stopped: boolean; report: EvalReport }
    | { type: 'pong' }
    | ({ type: 'memory_probe' } & MemoryProbeFields)
    | ({ type: 'memory_check'; attempt: number } & ProbeDecisionFields)
  );

/** The memory check measured a few steps at these settings (protocol.schema.json memoryProbeEvent). */
export interface MemoryProbeFields {
  attempt: number;
  batch_size: number;
  grad_accum: number;
  max_seq_length: number;
  steps: number;
  /** 'cuda': torch's peak reserved memory (no CUDA context); 'rss': the process's growth (CPU). */
  measure: 'cuda' | 'rss';
  peak_gb: number;
  peak_allocated_gb?: number | null;
  available_gb?: number | null;
  oom?: boolean;
  tokens: number;
  rows: number;
  row_tokens: number[];
  seconds: number;
}

/** The host's decision on a probe (sent as probe_decision, echoed as memory_check). */
export interface ProbeDecisionFields {
  action: 'accept' | 'retry' | 'abort';
  verdict?: string;
  batch_size: number;
  grad_accum: number;
  max_seq_length: number;
  used_gb?: number;
  budget_gb?: number;
  message: string;
  hint?: string;
}

export type SidecarCommand =
  | { cmd: 'start'; config: Record<string, unknown> }
  | { cmd: 'eval'; config: Record<string, unknown> }
  | { cmd: 'stop' }
  | { cmd: 'ping' }
  | ({ cmd: 'probe_decision' } & ProbeDecisionFields);
