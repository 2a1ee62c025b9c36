/**
 * Ends a sidecar and everything it started (tokeniser or dataloader workers). On POSIX the sidecar
 * leads its own process group (spawned detached), so one signal to -pid reaches the whole tree; on
 * Windows taskkill /T walks the tree.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';

export function killTree(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (process.platform === 'win32') {
    spawn('taskkill', ['/PID', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', () => {});
    return;
  }
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
