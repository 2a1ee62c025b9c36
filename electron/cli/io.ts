import type { Core } from '../core/app';
import { createCore } from '../core/app';

/** What a command gets: output streams and the core, created on first use. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  core(): Core;
  env: NodeJS.ProcessEnv;
}

export function processIO(env: NodeJS.ProcessEnv = process.env): CliIO & { closeCore(): Promise<void> } {
  let core: Core | null = null;
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    core: () => (core ??= createCore({ mode: 'cli', env })),
    env,
    closeCore: async () => {
      await core?.close();
    },
  };
}

/** Exit codes: 0 ok, 1 the thing failed (unusable data, training error), 2 usage error. */
export const EXIT = { OK: 0, FAIL: 1, USAGE: 2 } as const;
