/**
 * Base-vs-tuned evaluation reports. The numbers are computed once, by the sidecar's metrics module
 * (python-runtime/hone_sidecar/metrics.py; schema: #/definitions/evalReport in protocol.schema.json), and
 * stored as they came: the run page, the exported report and `hone eval --json` all read these objects.
 */
import type { ErrorInfo } from '../errors';
import type { ChatMessage } from './ollama';

/** One reply scored against its reference. null: does not apply (json_* when the reference is not JSON). */
export interface EvalScores {
  rouge_l: number;
  chrf: number;
  exact_match: boolean;
  json_valid: boolean | null;
  json_same_keys: boolean | null;
  length_ratio: number | null;
}

/** One model over the evaluated rows. Shares in [0, 1]; null where a metric does not apply. */
export interface EvalLeg {
  rouge_l: number | null;
  chrf: number | null;
  exact_match: number | null;
  json_valid: number | null;
  json_same_keys: number | null;
  /** Reply characters / reference characters over all rows. */
  length_ratio: number | null;
  tokens_per_second: number | null;
  /** Mean seconds per reply. */
  latency_s: number | null;
  generated_tokens: number;
  /** DPO: the share of pairs where the chosen reply gets the higher log-probability. */
  preference_accuracy: number | null;
  mean_margin: number | null;
}

export interface EvalExample {
  index: number;
  /** Line in the evaluation file. */
  line: number;
  prompt: ChatMessage[];
  reference: string;
  base: string;
  tuned: string;
  scores: { base: EvalScores; tuned: EvalScores };
  tokens: { base: number; tuned: number };
  /** DPO: log p(chosen) - log p(rejected). */
  margins?: { base: number; tuned: number };
}

/** GPU power draw sampled with nvidia-smi while a model generated; watts null with the reason otherwise. */
export interface PowerMeasurement {
  watts: number | null;
  samples: number;
  gpu: string | null;
  /** Why there is no figure (no nvidia-smi, the GPU does not report power, the model ran on the CPU). */
  reason?: string;
}

export interface ServingMismatch {
  flagged: boolean;
  /** The metric with the largest drop. */
  metric: 'chrf' | 'rouge_l';
  sidecar: number;
  ollama: number;
  drop: number;
  message: string;
}

/** The same rows through Ollama: replies as a user of the model gets them. */
export interface OllamaEval {
  models: { base: string; tuned: string };
  /** How the base model got into Ollama: the catalogue's Ollama model, created from the base folder, or given. */
  baseSource: 'catalogue' | 'created' | 'given';
  host: string;
  version: string | null;
  n: number;
  base: EvalLeg;
  tuned: EvalLeg;
  /** Mean chrF of Ollama's tuned replies against the sidecar's tuned replies (1 = the same text). */
  agreement: number | null;
  mismatch: ServingMismatch;
  /** Aligned with EvalReport.examples by index. */
  examples: { base: string; tuned: string; scores: { base: EvalScores; tuned: EvalScores } }[];
  power: PowerMeasurement;
  createdAt: string;
}

export interface EvalReport {
  n: number;
  objective: 'sft' | 'dpo';
  base: EvalLeg;
  tuned: EvalLeg;
  examples: EvalExample[];
  dataset: { path: string; rows: number };
  settings: { limit: number; max_new_tokens: number };
  models: { base: string; adapter: string | null; tuned: string | null; loads: number };
  device: string;
  seconds: { load: number; generate: number; total: number };
  /** Added by the app: the GPU's draw while the sidecar generated. */
  power?: PowerMeasurement;
  /** Added by the app when the rows also went through Ollama. */
  ollama?: OllamaEval;
}

export type EvalStatus = 'running' | 'completed' | 'stopped' | 'failed';

export interface EvalProgressInfo {
  /** starting, validating, loading_model, generating, scoring, ollama_base, ollama_tuned, ollama_scoring. */
  stage: string;
  done: number;
  total: number | null;
  unit: string;
}

/** One evaluation of a run, as stored (SQLite eval_reports) and shown. */
export interface EvalRecord {
  id: string;
  runId: string;
  status: EvalStatus;
  trigger: 'auto' | 'manual' | 'cli';
  createdAt: string;
  endedAt: string | null;
  /** The held-out rows: the run's eval file, its eval_split rows, or a file the user gave. */
  dataPath: string | null;
  dataSource: 'eval file' | 'held-out split' | 'given file' | null;
  progress: EvalProgressInfo | null;
  report: EvalReport | null;
  error: ErrorInfo | null;
}

/** 'eval.progress': every stage change and reply of an evaluation, then its end (status not 'running'). */
export interface EvalProgress extends EvalProgressInfo {
  runId: string;
  evalId: string;
  status: EvalStatus;
  error?: ErrorInfo;
}

/** What the user enters for the cost comparison (Settings.evalCost). */
export interface CostSettings {
  /** The hosted API the user would otherwise use, per 1M tokens. */
  hostedPricePer1M: number | null;
  pricePerKwh: number | null;
  /** Used when the power draw was not measured (no NVIDIA GPU, or Ollama ran on the CPU). */
  watts: number | null;
  currency: string;
}
