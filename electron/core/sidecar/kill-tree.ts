/**
 * Ends a sidecar and everything it started (tokeniser or dataloader workers, and under a multi-process launcher
 * every training process). On POSIX the sidecar leads its own process group (spawned detached), so one signal to
 * -pid reaches what it forks; torchrun (under `accelerate launch`) starts each rank in a session of its own,
 * out of that group, so the tree is also walked by parent pid and every descendant's group is signalled. On
 * Windows taskkill /T walks the tree.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';

/** Every live descendant of `pid` (children first), from `ps`; empty when ps is unavailable. */
export function descendants(pid: number): number[] {
  let table: string;
  try {
    table = execFileSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid='], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 });
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const line of table.split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (!Number.isInteger(child) || !Number.isInteger(parent)) continue;
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const c of children.get(queue.shift()!) ?? []) {
      if (c === pid || out.includes(c)) continue;
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function signalGroupOrProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal); // not a group leader after all, or already gone
    } catch {
      // already gone
    }
  }
}

/** Signals the tree of `pid`, plus `extra` processes it is known to have started (a run's ranks, by pid). */
export function killTree(pid: number, signal: NodeJS.Signals = 'SIGKILL', extra: number[] = []): void {
  if (process.platform === 'win32') {
    for (const p of [pid, ...extra]) spawn('taskkill', ['/PID', String(p), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', () => {});
    return;
  }
  // Collected before the first signal: a killed parent's children are re-parented and could not be found after.
  const family = [...new Set([...descendants(pid), ...extra.flatMap((p) => [p, ...descendants(p)])])];
  signalGroupOrProcess(pid, signal);
  for (const p of family) signalGroupOrProcess(p, signal);
}

/** Whether the process still runs; an exited-but-unreaped (zombie) process counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform === 'linux') {
    try {
      // Field 3 of /proc/<pid>/stat is the state; the name before it is in parentheses and may hold spaces.
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      return false;
    }
  }
  return true;
}
