import type { ErrorInfo } from '../errors';
import type { Objective, Plan } from './plan';
import type { SidecarEvent } from './sidecar';
import type { MemoryCheckOptions, RunMemory } from './memory';

export type RunStatus = 'queued' | 'preparing' | 'training' | 'stopping' | 'completed' | 'stopped' | 'failed' | 'interrupted';

export interface RunConfig {
  /** Catalogue id or a local model folder. */
  model: string;
  /** Normalised dataset (JSONL) or a user file to import first. */
  dataset: string;
  evalDataset?: string | null;
  objective: Objective;
  plan: Plan;
  maxSteps?: number | null;
  epochs?: number;
  learningRate?: number;
  seed?: number;
  saveSteps?: number;
  evalSteps?: number | null;
  mergeOnFinish?: boolean;
  name?: string;
  /** The memory check that opens the run (on by default on a GPU; on the CPU only with a budget). */
  memoryCheck?: MemoryCheckOptions | null;
}

export interface RunSummary {
  id: string;
  name: string;
  status: RunStatus;
  model: string;
  objective: Objective;
  method: Plan['method'];
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  step: number;
  maxSteps: number | null;
  finalLoss: number | null;
  outputDir: string;
  error: (ErrorInfo & { exitCode?: number | null; logTail?: string[] }) | null;
  resumable: boolean;
  /** Position in the queue when status is 'queued'. */
  queuePosition?: number | null;
  /** Planned and measured memory: the memory check's readings and verdict, the training peak. */
  memory?: RunMemory | null;
}

export interface RunDetail extends RunSummary {
  config: RunConfig;
  checkpoints: { step: number; path: string; createdAt: string }[];
  artifacts: { kind: string; path: string; createdAt: string }[];
  exports: OllamaExportRecord[];
}

export interface OllamaExportRecord {
  name: string;
  quantize: string;
  digest: string | null;
  createdAt: string;
  /** How the chat template was made and checked (kept in the run folder's exports.json; the store keeps the four fields above). */
  template?: {
    source: 'derived' | 'family';
    /** The check's one-line verdict. */
    check: string;
    /** The day printed where the model's template prints today's date (the training day). */
    date: string | null;
    system: string | null;
  };
}

export interface MetricPoint {
  step: number;
  name: string;
  value: number;
}

/** What the core pushes for a run: a sidecar event or a status change, numbered per run. */
export interface RunEvent {
  runId: string;
  /** Per-run, strictly increasing; the store keeps them so a client can replay from any seq. */
  seq: number;
  ts: string;
  kind: 'status' | 'sidecar';
  status?: RunStatus;
  event?: SidecarEvent;
}
