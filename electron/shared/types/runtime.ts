import type { Progress } from './progress';
import type { ErrorInfo } from '../errors';

export type RuntimeState = 'missing' | 'installing' | 'ready' | 'failed';

export interface RuntimeStatus {
  state: RuntimeState;
  /** Python executable Hone will run the sidecar with. */
  python: string | null;
  /** 'cpu' or the CUDA build tag, e.g. 'cu124'. */
  flavour: string | null;
  /** Where the environment lives. */
  envDir: string;
  /** Problems with the installed packages (a chosen Python missing packages, say). */
  problems: string[];
  error?: ErrorInfo & { tail?: string };
}

export type RuntimeProgress = Progress;
