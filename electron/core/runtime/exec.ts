/**
 * Child processes for provisioning: line-by-line output (uv reports progress as lines), a bounded tail
 * for error reports, and cancellation. stdout and stderr are merged in order of arrival because uv
 * writes its progress to stderr and its result lists to stdout.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface ExecOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** How many output lines to keep for the error report. */
  tailLines?: number;
  /** Lines that are never useful in a tail (uv's debug chatter). */
  tailFilter?: (line: string) => boolean;
}

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  tail: string[];
  timedOut: boolean;
}

/** Calls onLine for every complete line; a trailing partial line is flushed on end. */
export function forEachLine(stream: Readable, onLine: (line: string) => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, nl).replace(/\r$/, ''));
      buf = buf.slice(nl + 1);
    }
  });
  stream.on('end', () => {
    if (buf) onLine(buf.replace(/\r$/, ''));
    buf = '';
  });
}

export function execLines(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const keep = opts.tailLines ?? 40;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const tail: string[] = [];
    let stdout = '';
    let timedOut = false;
    const take = (stream: 'stdout' | 'stderr') => (line: string) => {
      if (stream === 'stdout') stdout += `${line}\n`;
      if (!opts.tailFilter || opts.tailFilter(line)) {
        tail.push(line);
        if (tail.length > keep) tail.shift();
      }
      opts.onLine?.(line, stream);
    };
    forEachLine(child.stdout, take('stdout'));
    forEachLine(child.stderr, take('stderr'));
    const abort = () => child.kill();
    opts.signal?.addEventListener('abort', abort, { once: true });
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill();
        }, opts.timeoutMs)
      : null;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', abort);
      reject(err);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', abort);
      resolve({ code, signal, stdout, tail, timedOut });
    });
  });
}
