import type { RunEvent, RunStatus } from '../../../shared/types/runs';
import type { Core } from '../../app';

/** Collects a core's 'runs.event's in process, with a wait helper (the transport is tested elsewhere). */
export class BusLog {
  readonly events: RunEvent[] = [];
  private waiters = new Set<() => void>();
  readonly off: () => void;

  constructor(core: Core, private readonly onEvent?: (e: RunEvent) => void) {
    this.off = core.bus.on('runs.event', (e) => {
      this.events.push(e);
      this.onEvent?.(e);
      for (const w of this.waiters) w();
    });
  }

  async waitFor(match: (e: RunEvent) => boolean, timeoutMs = 180_000, what = 'event'): Promise<RunEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find(match);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(this.events.slice(-3))}`);
      await new Promise<void>((resolve) => {
        const done = () => {
          this.waiters.delete(done);
          resolve();
        };
        this.waiters.add(done);
        setTimeout(done, 1000);
      });
    }
  }

  waitStatus(runId: string, status: RunStatus, timeoutMs?: number, after = 0): Promise<RunEvent> {
    return this.waitFor((e) => e.runId === runId && e.seq > after && e.kind === 'status' && e.status === status, timeoutMs, `status ${status}`);
  }
}
