import type { EventBus } from './events';
import type { AppPaths } from './paths';
import type { SettingsStore } from './settings/settings';
import type { SecretStore } from './models/secrets';

/** What every domain's handlers get: paths, the event bus, settings. Services are wired in app.ts. */
export interface CoreContext {
  paths: AppPaths;
  mode: 'electron' | 'headless' | 'cli';
  bus: EventBus;
  settings: SettingsStore;
  env: NodeJS.ProcessEnv;
  /** Injected by the Electron shell (safeStorage); absent in headless/CLI, where a 0600 file is used (models/token.ts). */
  secrets?: SecretStore;
  /** Injected by the Electron shell: the system proxy for a URL (a PAC answer, "PROXY h:p; DIRECT"). */
  resolveProxy?: (url: string) => Promise<string>;
  /** Injected by the Electron shell (shell.showItemInFolder); absent in headless/CLI. Called only with a path exports/reveal.ts allowed. */
  showItemInFolder?: (path: string) => void;
  /** Things to run on shutdown (stop sidecars, close the database), newest first. */
  onClose(fn: () => Promise<void> | void): void;
}

/**
 * A service shared between domains is a per-context singleton, created on first use:
 *   export const getStore = perContext((ctx) => openStore(ctx));
 *   const store = getStore(ctx);
 * so app.ts need not know every service's wiring, and tests can build a fresh context each.
 */
export function perContext<T>(create: (ctx: CoreContext) => T): (ctx: CoreContext) => T {
  const cache = new WeakMap<CoreContext, T>();
  return (ctx) => {
    let value = cache.get(ctx);
    if (value === undefined) {
      value = create(ctx);
      cache.set(ctx, value);
    }
    return value;
  };
}
