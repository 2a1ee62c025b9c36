/** Every long operation reports progress in this one shape. */
export interface Progress {
  stage: string;
  done: number;
  /** null while the total is unknown (an indeterminate bar). */
  total: number | null;
  unit: 'bytes' | 'rows' | 'steps' | 'files' | 'packages' | 'percent' | 'items';
  /** Optional detail, e.g. the package being installed. */
  detail?: string;
}
