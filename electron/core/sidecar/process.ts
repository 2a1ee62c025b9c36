/**
 * One training sidecar process (`python -m hone_sidecar`): JSON-lines commands in, validated events out.
 *
 * A line that is not JSON or breaks the protocol schema becomes a `log` warning instead of an exception,
 * so a stray library print can never bring down a run. Exit information keeps the last lines of stderr
 * and log events, which is what a user needs when the process dies without an `error` event.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { HoneError } from '../../shared/errors';
import type { SidecarCommand, SidecarEvent } from '../../shared/types/sidecar';
import { forEachLine } from '../runtime/exec';
import { sidecarEnv } from './env';
import { killTree } from './kill-tree';
import { parseEventLine } from './parse-line';
import { protocolValidators } from './schema';

export type ReadyEvent = Extract<SidecarEvent, { type: 'ready' }>;
export type DoneEvent = Extract<SidecarEvent, { type: 'done' }>;
export type ErrorEvent = Extract<SidecarEvent, { type: 'error' }>;

export interface SidecarOptions {
  python: string;
  pythonRuntimeDir: string;
  /** The environment to start from (PYTHONPATH and friends are added). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** HF_HUB_OFFLINE=1 for local models. */
  offline?: boolean;
  noUserSite?: boolean;
  /** The GPU the sidecar may see (env.ts gpuFor(plan)). */
  gpu?: number | 'none' | null;
  /** How long to wait for `ready` (importing torch takes a while on a slow disk). */
  readyTimeoutMs?: number;
  /** After `stop`, how long the current step and the save may take before the process is killed. */
  stopTimeoutMs?: number;
  /** Lines of stderr/log kept for the exit report. */
  tailLines?: number;
}

export interface SidecarExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last stderr lines and log messages, oldest first. */
  tail: string[];
  done: DoneEvent | null;
  error: ErrorEvent | null;
  /** True when Hone killed it (stop timed out, or kill()). */
  killed: boolean;
}

interface SidecarEvents {
  event: [SidecarEvent];
  stderr: [string];
  exit: [SidecarExit];
}

export class SidecarProcess extends EventEmitter<SidecarEvents> {
  private child: ChildProcessWithoutNullStreams | null = null;
  private readonly tail: string[] = [];
  private lastSeq = 0;
  private ready: ReadyEvent | null = null;
  private done: DoneEvent | null = null;
  private error: ErrorEvent | null = null;
  private killed = false;
  private exitInfo: SidecarExit | null = null;
  private exitPromise: Promise<SidecarExit> | null = null;

  constructor(private readonly opts: SidecarOptions) {
    super();
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get exited(): boolean {
    return this.exitInfo !== null;
  }

  /** Starts the process (once) and waits for its `ready` line. */
  async spawn(): Promise<ReadyEvent> {
    if (this.ready) return this.ready;
    if (!this.child) this.launch();
    return this.waitReady();
  }

  /** Spawns if needed, waits for `ready`, then sends the run config. */
  async start(config: Record<string, unknown>): Promise<ReadyEvent> {
    const ready = await this.spawn();
    this.send({ cmd: 'start', config });
    return ready;
  }

  /** Like start, for an evaluation (#/definitions/evalConfig): it ends with a `report` event. */
  async evaluate(config: Record<string, unknown>): Promise<ReadyEvent> {
    const ready = await this.spawn();
    this.send({ cmd: 'eval', config });
    return ready;
  }

  /** Round trip in ms; rejects when the sidecar does not answer within timeoutMs. */
  async ping(timeoutMs = 10_000): Promise<number> {
    await this.spawn();
    const t0 = Date.now();
    const pong = this.nextEvent((e) => e.type === 'pong', timeoutMs, 'answer a ping');
    this.send({ cmd: 'ping' });
    await pong;
    return Date.now() - t0;
  }

  /** The host's answer to a `memory_probe` event (sidecar/probe-host.ts). */
  answerProbe(decision: Omit<Extract<SidecarCommand, { cmd: 'probe_decision' }>, 'cmd'>): void {
    this.send({ cmd: 'probe_decision', ...decision });
  }

  /**
   * Asks the run to stop after the current step and save; kills the process tree when it has not
   * exited after stopTimeoutMs (then SIGTERM, which arms the sidecar's own short deadline, then SIGKILL).
   */
  async stop(): Promise<SidecarExit> {
    if (!this.child) throw new HoneError('INTERNAL', 'The sidecar was never started.');
    if (this.exitInfo) return this.exitInfo;
    this.send({ cmd: 'stop' });
    const graceful = await this.waitExit(this.opts.stopTimeoutMs ?? 120_000);
    if (graceful) return graceful;
    if (this.child.pid) killTree(this.child.pid, 'SIGTERM');
    return (await this.waitExit(5_000)) ?? this.kill();
  }

  /** Kills the whole process tree now. */
  async kill(): Promise<SidecarExit> {
    if (!this.child) throw new HoneError('INTERNAL', 'The sidecar was never started.');
    if (this.exitInfo) return this.exitInfo;
    this.killed = true;
    if (this.child.pid) killTree(this.child.pid, 'SIGKILL');
    return this.whenExited();
  }

  /** Resolves when the process has exited, however that happened. */
  whenExited(): Promise<SidecarExit> {
    if (!this.exitPromise) throw new HoneError('INTERNAL', 'The sidecar was never started.');
    return this.exitPromise;
  }

  /** Every event from now until the process exits. */
  async *events(): AsyncGenerator<SidecarEvent> {
    const queue: SidecarEvent[] = [];
    let wake: (() => void) | null = null;
    let over = this.exitInfo !== null;
    const onEvent = (e: SidecarEvent) => {
      queue.push(e);
      wake?.();
    };
    const onExit = () => {
      over = true;
      wake?.();
    };
    this.on('event', onEvent);
    this.on('exit', onExit);
    try {
      for (;;) {
        while (queue.length) yield queue.shift()!;
        if (over) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    } finally {
      this.off('event', onEvent);
      this.off('exit', onExit);
    }
  }

  private launch(): void {
    const env = sidecarEnv({ pythonRuntimeDir: this.opts.pythonRuntimeDir, base: this.opts.env, offline: this.opts.offline, noUserSite: this.opts.noUserSite, gpu: this.opts.gpu });
    const child = spawn(this.opts.python, ['-m', 'hone_sidecar'], {
      cwd: this.opts.cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group on POSIX, so killTree reaches workers it forks; Windows uses taskkill /T.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    this.child = child;
    // Writing to a sidecar that just died raises EPIPE here; the exit handler reports the death.
    child.stdin.on('error', () => {});
    forEachLine(child.stdout, (line) => this.onStdout(line));
    forEachLine(child.stderr, (line) => {
      this.remember(line);
      this.emit('stderr', line);
    });
    let spawnError: NodeJS.ErrnoException | null = null;
    child.on('error', (err) => (spawnError = err));
    this.exitPromise = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        if (spawnError) this.remember(`could not start ${this.opts.python}: ${spawnError.code ?? spawnError.message}`);
        this.exitInfo = { code, signal, tail: [...this.tail], done: this.done, error: this.error, killed: this.killed };
        this.emit('exit', this.exitInfo);
        resolve(this.exitInfo);
      });
    });
  }

  private onStdout(line: string): void {
    const event = parseEventLine(line, protocolValidators(this.opts.pythonRuntimeDir), this.lastSeq);
    if (!event) return;
    if (event.seq > this.lastSeq) this.lastSeq = event.seq;
    if (event.type === 'ready') this.ready = event;
    if (event.type === 'done') this.done = event;
    if (event.type === 'error') this.error = event;
    this.publish(event);
  }

  private publish(event: SidecarEvent): void {
    if (event.type === 'log') this.remember(`[${event.level}] ${event.message}`);
    if (event.type === 'error') this.remember(`[error] ${event.code}: ${event.message}`);
    this.emit('event', event);
  }

  private remember(line: string): void {
    this.tail.push(line);
    if (this.tail.length > (this.opts.tailLines ?? 50)) this.tail.shift();
  }

  private send(command: SidecarCommand): void {
    if (!this.child || this.exitInfo) throw new HoneError('SIDECAR_CRASHED', 'The training process is not running.', 'Start the run again.');
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
  }

  private async waitReady(): Promise<ReadyEvent> {
    const timeoutMs = this.opts.readyTimeoutMs ?? 180_000;
    try {
      await this.nextEvent((e) => e.type === 'ready', timeoutMs, 'start', () => this.ready !== null);
    } catch (err) {
      if (!this.exitInfo) await this.kill();
      throw err;
    }
    return this.ready!;
  }

  private waitExit(ms: number): Promise<SidecarExit | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), ms);
      void this.whenExited().then((exit) => {
        clearTimeout(timer);
        resolve(exit);
      });
    });
  }

  /** The next event matching `match`; rejects with the process's tail if it exits or time runs out first. */
  private nextEvent(match: (e: SidecarEvent) => boolean, timeoutMs: number, what: string, already?: () => boolean): Promise<void> {
    if (already?.()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        this.off('event', onEvent);
        this.off('exit', onExit);
      };
      const onEvent = (e: SidecarEvent) => {
        if (match(e)) {
          cleanup();
          resolve();
        }
      };
      const onExit = (exit: SidecarExit) => {
        cleanup();
        reject(crashError(this.opts.python, exit, what));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new HoneError('SIDECAR_CRASHED', `The training process did not ${what} within ${Math.round(timeoutMs / 1000)} s.`, 'Check the Python environment (hone setup), then try again.'));
      }, timeoutMs);
      this.on('event', onEvent);
      this.on('exit', onExit);
      if (this.exitInfo) onExit(this.exitInfo);
    });
  }
}

function crashError(python: string, exit: SidecarExit, what: string): HoneError {
  const last = exit.tail.slice(-8).join('\n');
  if (/could not start .*ENOENT/.test(last)) {
    return new HoneError('PYTHON_MISSING', `Python was not found at ${python}.`, 'Install Hone\'s Python environment (hone setup), or fix the Python path in Settings.');
  }
  if (/No module named ['"]?hone_sidecar/.test(last)) {
    return new HoneError('RUNTIME_NOT_READY', 'The sidecar package could not be imported.', 'Reinstall Hone: its python-runtime folder is missing.');
  }
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return new HoneError('SIDECAR_CRASHED', `The training process ${how} before it could ${what}.\n${last}`, 'The lines above say why; "hone setup" repairs a broken Python environment.');
}
