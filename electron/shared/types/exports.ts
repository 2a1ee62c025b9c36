/**
 * Taking a finished run elsewhere as files: a GGUF file, the same file in LM Studio's models folder, a zip of
 * the LoRA adapter with its tokenizer and model card, and the model card (README.md) in the run folder.
 * Sending to Ollama has its own types (./ollama).
 */
import type { Progress } from './progress';

export type ExportTarget = 'gguf' | 'lmstudio' | 'adapter' | 'card';
export const EXPORT_TARGETS: readonly ExportTarget[] = ['gguf', 'lmstudio', 'adapter', 'card'];

export type GgufQuantization = 'q4_K_M' | 'q5_K_M' | 'q8_0' | 'f16';
export const GGUF_QUANTS: readonly GgufQuantization[] = ['q4_K_M', 'q5_K_M', 'q8_0', 'f16'];

/** What the user says about the model for its card's front matter; everything else comes from the run. */
export interface CardOptions {
  /** An SPDX-style id (apache-2.0, llama3.2, other); default: the base model's licence. */
  license?: string;
  tags?: string[];
  /** Hugging Face dataset ids, as the user names them (Hone never derives them from files). */
  datasets?: string[];
}

export interface FileExportRequest {
  runId: string;
  target: ExportTarget;
  /** gguf and lmstudio; default q4_K_M. */
  quantize?: GgufQuantization;
  card?: CardOptions;
}

/** One file an export wrote, kept on the run (exports.json `files`, and the run store's artifacts). */
export interface FileExportRecord {
  target: ExportTarget;
  path: string;
  createdAt: string;
  bytes: number;
  quantize?: GgufQuantization;
  /** The GGUF check's verdict, LM Studio's folder, the bundle's file list: one line. */
  detail?: string;
}

export interface FileExportResult extends FileExportRecord {
  exportId: string;
  runId: string;
}

export interface FileExportProgress extends Progress {
  exportId: string;
  runId: string;
  target: ExportTarget;
}

/** What the Export step shows before anything is clicked: each target, whether it can run now, and why not. */
export interface ExportTargetInfo {
  target: ExportTarget;
  available: boolean;
  /** Why it cannot run now, or what it will do (e.g. "Ollama converts it first"). */
  note?: string;
  /** gguf/lmstudio: the quantisations the user's Ollama can produce. */
  quantizations?: GgufQuantization[];
  /** lmstudio: the models folder files go to. */
  location?: string;
  /** Files this target wrote for the run, newest last, that are still on disk. */
  files: FileExportRecord[];
}

export interface RevealResult {
  /** False in headless mode (no desktop to open a folder on): the UI shows the path instead. */
  shown: boolean;
  path: string;
}
