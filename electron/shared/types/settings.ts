export interface Settings {
  dataDir: string;
  /** A Python the user chose instead of Hone's own environment; null for Hone's. */
  pythonPath: string | null;
  ollamaHost: string;
  theme: 'light' | 'dark' | 'system';
  /** Whether the welcome screen was completed. */
  onboarded: boolean;
}
