/**
 * Turns `uv -v pip install` output into Progress events. Without a terminal uv draws no bars, but it
 * still prints one line when a large download starts ("Downloading torch (846.8MiB)") and an indented
 * one when it ends (" Downloading torch"); -v adds the resolver's choices and the list of wheels that
 * are not in the cache yet, which together give a real packages count for each stage.
 */
import type { Progress } from '../../shared/types/progress';

const SIZE_UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

export function parseSize(text: string): number | null {
  const m = /^([\d.]+)\s*(B|KiB|MiB|GiB)$/.exec(text.trim());
  return m ? Number(m[1]) * SIZE_UNITS[m[2]] : null;
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(0)} MiB`;
  return `${Math.max(1, Math.round(n / 1024))} KiB`;
}

export class UvProgressParser {
  private selected = 0;
  private resolved: number | null = null;
  private uncached = new Set<string>();
  private started = new Map<string, number>();
  private finished = new Set<string>();
  private bytesDone = 0;
  private installed = 0;
  private installedTotal = 0;

  constructor(
    private readonly emit: (p: Progress) => void,
    /** Requirement lines in the lock: the resolver's total before uv says how many it resolved. */
    private readonly expected: number,
  ) {}

  /** Feeds one line of uv's output; emits a Progress when the line moves something. */
  line(raw: string): void {
    // In case a user's config forces colour codes into the output.
    const line = raw.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
    let m: RegExpExecArray | null;
    if ((m = /^DEBUG Selecting: ([^=\s]+)==(\S+)/.exec(line))) {
      this.selected++;
      this.emit({ stage: 'Resolving packages', done: this.selected, total: Math.max(this.expected, this.selected), unit: 'packages', detail: `${m[1]} ${m[2]}` });
    } else if ((m = /^Resolved (\d+) packages?/.exec(line))) {
      this.resolved = Number(m[1]);
      this.emit({ stage: 'Resolving packages', done: this.resolved, total: this.resolved, unit: 'packages' });
    } else if ((m = /^DEBUG Identified uncached distribution: ([^=\s]+)/.exec(line))) {
      this.uncached.add(m[1].toLowerCase());
    } else if ((m = /^Downloading (\S+) \(([^)]+)\)$/.exec(line))) {
      this.started.set(m[1].toLowerCase(), parseSize(m[2]) ?? 0);
      this.emitDownload(`${m[1]} (${m[2]})`);
    } else if ((m = /^ Downloading (\S+)$/.exec(line))) {
      const name = m[1].toLowerCase();
      this.finished.add(name);
      this.bytesDone += this.started.get(name) ?? 0;
      this.emitDownload(this.inFlight());
    } else if (/^Prepared \d+ packages?/.test(line)) {
      const total = this.uncached.size;
      if (total > 0) this.emit({ stage: 'Downloading packages', done: total, total, unit: 'packages' });
      this.emit({ stage: 'Installing packages', done: 0, total: null, unit: 'packages', detail: 'linking into the environment' });
    } else if ((m = /^ ?(Building|Built) (\S+)/.exec(line))) {
      this.emit({ stage: 'Building packages', done: 0, total: null, unit: 'packages', detail: m[2] });
    } else if ((m = /^ \+ ([^=\s]+)==(\S+)/.exec(line))) {
      this.installed++;
      this.emit({ stage: 'Installing packages', done: this.installed, total: Math.max(this.installed, this.installedTotal), unit: 'packages', detail: `${m[1]} ${m[2]}` });
    } else if ((m = /^Installed (\d+) packages?/.exec(line))) {
      this.installedTotal = Number(m[1]); // the "+ name==version" lines follow
    } else if ((m = /^Audited (\d+) packages?/.exec(line))) {
      this.emit({ stage: 'Installing packages', done: Number(m[1]), total: Number(m[1]), unit: 'packages', detail: 'already installed' });
    }
  }

  private inFlight(): string | undefined {
    const running = [...this.started.keys()].filter((n) => !this.finished.has(n));
    if (running.length === 0) return undefined;
    const biggest = running.sort((a, b) => (this.started.get(b) ?? 0) - (this.started.get(a) ?? 0))[0];
    return running.length > 1 ? `${biggest} and ${running.length - 1} more` : biggest;
  }

  private emitDownload(current: string | undefined): void {
    const total = Math.max(this.uncached.size, this.started.size);
    const startedBytes = [...this.started.values()].reduce((a, b) => a + b, 0);
    const bytes = startedBytes > 0 ? `${formatBytes(this.bytesDone)} of ${formatBytes(startedBytes)} so far` : '';
    const detail = [current, bytes].filter(Boolean).join(' · ') || undefined;
    this.emit({ stage: 'Downloading packages', done: this.finished.size, total: total || null, unit: 'packages', detail });
  }
}
