/**
 * The composition root: builds a CoreContext and merges every domain's request handlers into one
 * RequestHandlers object. Both transports (Electron IPC, headless WebSocket) and the CLI use it.
 */
import type { AppInfo, RequestHandlers } from '../shared/contract';
import { EventBus } from './events';
import { appPaths, type AppPaths } from './paths';
import { SettingsStore } from './settings/settings';
import type { CoreContext } from './context';
import { createSettingsHandlers } from './settings/handlers';
import { createHardwareHandlers } from './hardware/handlers';
import { createDatasetHandlers } from './datasets/handlers';
import { createRuntimeHandlers } from './runtime/handlers';
import { createRunHandlers } from './runs/handlers';
import { createOllamaHandlers } from './ollama/handlers';
import { createModelHandlers } from './models/handlers';
import { createEvalHandlers } from './eval/handlers';
import { createExportHandlers } from './exports/handlers';
import type { SecretStore } from './models/secrets';
import { APP_VERSION } from './version';
import { ensurePrivateDir, restrictUmask } from './private';

export interface Core {
  ctx: CoreContext;
  handlers: RequestHandlers;
  bus: EventBus;
  close(): Promise<void>;
}

export interface CoreOptions {
  mode: CoreContext['mode'];
  paths?: Partial<AppPaths>;
  env?: NodeJS.ProcessEnv;
  /** Where the Hugging Face token is kept; the Electron shell passes a safeStorage-backed store. */
  secrets?: SecretStore;
  /** The system proxy for a URL; the Electron shell passes Chromium's resolver (PAC included). */
  resolveProxy?: (url: string) => Promise<string>;
  /** Opens a file's folder in the desktop's file manager; the Electron shell passes shell.showItemInFolder. */
  showItemInFolder?: (path: string) => void;
}

export function createContext(opts: CoreOptions): { ctx: CoreContext; close: () => Promise<void> } {
  const env = opts.env ?? process.env;
  const paths = appPaths(opts.paths);
  restrictUmask();
  ensurePrivateDir(paths.dataDir);
  const closers: (() => Promise<void> | void)[] = [];
  const ctx: CoreContext = {
    paths,
    mode: opts.mode,
    bus: new EventBus(),
    settings: new SettingsStore(paths.dataDir, env),
    env,
    secrets: opts.secrets,
    resolveProxy: opts.resolveProxy,
    showItemInFolder: opts.showItemInFolder,
    onClose: (fn) => closers.unshift(fn),
  };
  const close = async () => {
    for (const fn of closers.splice(0)) {
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`hone: error while closing: ${String(err)}\n`);
      }
    }
  };
  return { ctx, close };
}

export function createCore(opts: CoreOptions): Core {
  const { ctx, close } = createContext(opts);
  const info: AppInfo = {
    version: APP_VERSION,
    mode: opts.mode === 'electron' ? 'electron' : 'headless',
    dataDir: ctx.paths.dataDir,
    platform: process.platform,
  };
  const handlers: RequestHandlers = {
    'app.info': async () => info,
    ...createSettingsHandlers(ctx),
    ...createHardwareHandlers(ctx),
    ...createDatasetHandlers(ctx),
    ...createRuntimeHandlers(ctx),
    ...createRunHandlers(ctx),
    ...createOllamaHandlers(ctx),
    ...createModelHandlers(ctx),
    ...createEvalHandlers(ctx),
    ...createExportHandlers(ctx),
  };
  return {
    ctx,
    handlers,
    bus: ctx.bus,
    close,
  };
}
