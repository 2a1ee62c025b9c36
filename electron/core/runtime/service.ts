/**
 * The runtime as the rest of the core sees it: which Python runs the sidecar, whether it is ready, and
 * installing it with progress on the event bus. One per context (perContext), so concurrent install
 * requests join the one running and a failure stays visible in runtime.status until the next try.
 */
import path from 'node:path';
import { HoneError, toErrorInfo } from '../../shared/errors';
import type { RuntimeStatus } from '../../shared/types/runtime';
import { perContext, type CoreContext } from '../context';
import type { InstallError } from './failure';
import type { Extra } from './locks';
import { readMarker } from './marker';
import { expectedHash, provisionPython, resolveFlavour } from './provision';
import { checkPython, type PythonCheck } from './python-check';

export interface InstallRequest {
  force?: boolean;
  /** 'auto' (default) detects the NVIDIA driver; 'cpu' forces the CPU stack. */
  flavour?: string;
}

export class RuntimeService {
  private installing: Promise<RuntimeStatus> | null = null;
  private lastError: RuntimeStatus['error'] | null = null;
  /** Full import checks of a user's Python, by path: they take seconds, so status reuses them. */
  private userChecks = new Map<string, PythonCheck>();
  private abort = new AbortController();

  constructor(private readonly ctx: CoreContext) {
    ctx.onClose(() => this.abort.abort());
  }

  get envDir(): string {
    return path.join(this.ctx.paths.dataDir, 'runtime', 'env');
  }

  private userPython(): string | null {
    return this.ctx.settings.get().pythonPath || null;
  }

  async status(): Promise<RuntimeStatus> {
    const base = { envDir: this.envDir, problems: [] as string[] };
    if (this.installing) return { ...base, state: 'installing', python: null, flavour: null };
    const user = this.userPython();
    if (user) return this.userStatus(user);
    const marker = readMarker(this.envDir);
    if (marker && marker.hash === this.hashFor(marker.flavour, marker.extras)) {
      return { ...base, state: 'ready', python: marker.python, flavour: marker.flavour };
    }
    if (this.lastError) return { ...base, state: 'failed', python: null, flavour: null, error: this.lastError };
    const problems = marker ? ['This version of Hone needs different Python packages: install to update the environment.'] : [];
    return { ...base, state: 'missing', python: null, flavour: marker?.flavour ?? null, problems };
  }

  private hashFor(flavour: string, extras: Extra[] = []): string | null {
    try {
      return expectedHash({ pythonRuntimeDir: this.ctx.paths.pythonRuntimeDir, extras }, flavour);
    } catch {
      return null;
    }
  }

  private async userStatus(python: string): Promise<RuntimeStatus> {
    const check = this.userChecks.get(python) ?? (await checkPython(python, { pythonRuntimeDir: this.ctx.paths.pythonRuntimeDir, env: this.ctx.env }));
    const torch = check.packages.torch ?? '';
    const flavour = torch.includes('+') ? torch.split('+')[1] : null;
    const status: RuntimeStatus = { state: check.fatal ? 'failed' : 'ready', python, flavour, envDir: this.envDir, problems: check.problems };
    if (check.fatal) {
      status.error = {
        code: 'PYTHON_MISSING',
        message: `The Python chosen in Settings (${python}) cannot run Hone.`,
        hint: 'Install the missing packages into it, or clear the Python setting so Hone installs its own.',
      };
    }
    return status;
  }

  install(req: InstallRequest = {}): Promise<RuntimeStatus> {
    this.installing ??= this.runInstall(req).finally(() => {
      this.installing = null;
    });
    const joined = this.installing;
    void this.status().then((s) => this.ctx.bus.emit('runtime.status', s));
    return joined;
  }

  private async runInstall(req: InstallRequest): Promise<RuntimeStatus> {
    const progress = this.ctx.bus.emit.bind(this.ctx.bus, 'runtime.progress');
    this.lastError = null;
    const user = this.userPython();
    try {
      if (user) {
        progress({ stage: 'Checking your Python', done: 0, total: null, unit: 'items', detail: user });
        this.userChecks.set(user, await checkPython(user, { pythonRuntimeDir: this.ctx.paths.pythonRuntimeDir, imports: true, env: this.ctx.env }));
      } else {
        await provisionPython({
          envDir: this.envDir,
          flavour: req.flavour ?? 'auto',
          force: req.force,
          pythonRuntimeDir: this.ctx.paths.pythonRuntimeDir,
          resourcesDir: this.ctx.paths.resourcesDir,
          toolsDir: path.join(this.ctx.paths.dataDir, 'tools'),
          env: this.ctx.env,
          signal: this.abort.signal,
          onProgress: progress,
        });
      }
    } catch (err) {
      this.lastError = { ...toErrorInfo(err), ...((err as InstallError).tail ? { tail: (err as InstallError).tail } : {}) };
    }
    this.installing = null;
    const status = await this.status();
    this.ctx.bus.emit('runtime.status', status);
    return status;
  }

  /** The Python for the sidecar, or a clear error saying how to get one. */
  async requirePython(): Promise<string> {
    const s = await this.status();
    if (s.state === 'ready' && s.python) return s.python;
    if (s.error) throw new HoneError(s.error.code, s.error.message, s.error.hint);
    throw new HoneError('RUNTIME_NOT_READY', 'Hone\'s Python environment is not installed yet.', 'Install it from the setup screen, or run "hone setup".');
  }

  /** The flavour an install would pick here, for the setup screen. */
  plannedFlavour(): Promise<{ flavour: string; note?: string }> {
    return resolveFlavour('auto', this.ctx.env);
  }
}

export const getRuntime = perContext((ctx) => new RuntimeService(ctx));
