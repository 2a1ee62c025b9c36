/**
 * Errors cross every boundary (core -> IPC/WebSocket -> renderer, sidecar -> core) as
 * `{code, message, hint}`. The codes are a closed list so the UI can react to each one.
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'NOT_FOUND',
  'UNAUTHORIZED',
  'INTERNAL',
  // hardware / planner
  'NO_GPU',
  'UNSUPPORTED_GPU',
  'DRIVER_TOO_OLD',
  'DOES_NOT_FIT',
  // datasets
  'BAD_DATA',
  'EMPTY_DATASET',
  'UNSUPPORTED_FILE',
  // runtime / sidecar (the sidecar's own codes are included so they pass through unchanged)
  'PYTHON_MISSING',
  'RUNTIME_NOT_READY',
  'INSTALL_FAILED',
  'NO_NETWORK',
  'DISK_FULL',
  'SIDECAR_CRASHED',
  'OOM',
  'MODEL_NOT_FOUND',
  'CUDA_UNAVAILABLE',
  'BAD_CONFIG',
  'SEQ_TOO_LONG',
  // runs
  'RUN_BUSY',
  'NOT_RESUMABLE',
  // ollama
  'OLLAMA_UNAVAILABLE',
  'OLLAMA_ERROR',
  'BAD_MODEL_NAME',
  'MODEL_EXISTS',
  'UNSUPPORTED_ARCH',
  'NOT_EXPORTABLE',
  'TEMPLATE_MISMATCH',
  // exports (GGUF file, LM Studio, adapter bundle)
  'UNSUPPORTED_QUANT',
  'LMSTUDIO_NOT_FOUND',
  // model downloads
  'GATED_MODEL',
  'RATE_LIMITED',
  'CANCELLED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  /** What the user can do about it, in one sentence. */
  hint?: string;
}

export class HoneError extends Error implements ErrorInfo {
  readonly code: ErrorCode;
  readonly hint?: string;
  constructor(code: ErrorCode, message: string, hint?: string) {
    super(message);
    this.name = 'HoneError';
    this.code = code;
    this.hint = hint;
  }
  toJSON(): ErrorInfo {
    return { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}) };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Turns anything thrown into the wire shape, keeping HoneError's code and hint. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err && typeof err === 'object') {
    const e = err as Partial<ErrorInfo> & { message?: unknown };
    if (isErrorCode(e.code) && typeof e.message === 'string') {
      return { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
    }
    if (typeof e.message === 'string') return { code: 'INTERNAL', message: e.message };
  }
  return { code: 'INTERNAL', message: String(err) };
}
