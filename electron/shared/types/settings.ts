import type { CostSettings } from './eval';

export interface Settings {
  dataDir: string;
  /** A Python the user chose instead of Hone's own environment; null for Hone's. */
  pythonPath: string | null;
  ollamaHost: string;
  theme: 'light' | 'dark' | 'system';
  /** A Hub mirror such as https://hf-mirror.com; null: HF_ENDPOINT, else huggingface.co. HF_ENDPOINT wins. */
  hubEndpoint?: string | null;
  /** An HTTP(S) proxy for the Hub; null: HTTPS_PROXY/HTTP_PROXY (which win), else the system's proxy. */
  hubProxy?: string | null;
  /** Download models into <modelsDir>/<owner>/<name>/ instead of the Hugging Face cache; null: the cache. */
  modelsDir?: string | null;
  /** Whether the welcome screen was completed. */
  onboarded: boolean;
  /** Evaluate base vs tuned when a run with held-out rows finishes training (default on). */
  evalAfterTraining?: boolean;
  /** Prices (and watts, where power cannot be measured) for the evaluation's cost comparison. */
  evalCost?: CostSettings;
}
