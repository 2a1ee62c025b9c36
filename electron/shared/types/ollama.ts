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
  /**
   * Let a thinking model think (Ollama's `think`). Off unless asked: since 0.12.4 Ollama thinks by default
   * for such models, and a fine-tune trained on final answers should answer as it was trained.
   */
  think?: boolean;
}

/** What the chat needs to know about a model (/api/show). */
export interface OllamaModelDetails {
  /** e.g. ["completion", "thinking", "tools"]; empty on servers too old to say. */
  capabilities: string[];
  /** Ollama's family of the weights (e.g. "llama", "qwen2"). */
  family: string | null;
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
  /** Reasoning text of a thinking model, streamed apart from the answer. */
  thinking?: string;
  done: boolean;
  /** On the last chunk: "stop", or "length" when the reply hit the length limit. */
  doneReason?: string;
  error?: string;
}

export interface ChatReply {
  content: string;
  thinking: string;
  doneReason: string | null;
}
