import type { Progress } from './progress';

export interface OllamaStatus {
  running: boolean;
  host: string;
  version: string | null;
  /** What to do when it is not running. */
  hint?: string;
}

export type Quantization = 'q4_K_M' | 'q8_0' | 'f16';

export interface SendToOllamaRequest {
  runId: string;
  name: string;
  quantize: Quantization;
  system?: string;
  overwrite?: boolean;
}

export interface OllamaModelInfo {
  name: string;
  size: number;
  digest: string;
  modifiedAt: string;
}

/** Per-request sampling knobs the chat panel exposes. */
export interface ChatOptions {
  temperature?: number;
  /** Longest reply in tokens (Ollama's num_predict); unset = the model's default. */
  maxTokens?: number;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ExportProgress extends Progress {
  exportId: string;
  runId: string;
}

export interface ChatChunk {
  requestId: string;
  model: string;
  content: string;
  done: boolean;
  error?: string;
}
