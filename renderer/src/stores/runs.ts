/**
 * Runs in the renderer. Each watched run has a RunData fed by 'runs.event'; on mount and after every
 * reconnect it first replays what it missed with 'runs.events' {afterSeq: lastSeq}, holding live events
 * back meanwhile, so no point is lost or drawn twice. Events mutate RunData at once, but components
 * re-render at most RENDER_MS apart (the charts are the costly part of a frame).
 */
import { create } from 'zustand';
import { bridge, connectionListeners } from '../bridge';
import { RunData } from '../components/runs/run-data';
import type { RunEvent, RunSummary } from '../../../electron/shared/types/runs';

const RENDER_MS = 250;
const REPLAY_PAGE = 5000;

interface Watched {
  data: RunData;
  syncing: boolean;
  held: RunEvent[];
  watchers: number;
}

interface RunsState {
  list: RunSummary[];
  summaries: Record<string, RunSummary>;
  /** Bumped (throttled) when a watched run's data changed: components select it to re-render. */
  versions: Record<string, number>;
  refreshList(): Promise<void>;
  refreshRun(runId: string): Promise<RunSummary | null>;
}

const watched = new Map<string, Watched>();
const dirty = new Set<string>();
let renderTimer: ReturnType<typeof setTimeout> | null = null;
let listTimer: ReturnType<typeof setTimeout> | null = null;

export const useRuns = create<RunsState>((set) => ({
  list: [],
  summaries: {},
  versions: {},
  refreshList: async () => {
    const list = await bridge.invoke('runs.list');
    set((s) => ({ list, summaries: { ...s.summaries, ...Object.fromEntries(list.map((r) => [r.id, r])) } }));
  },
  refreshRun: async (runId) => {
    try {
      const r = await bridge.invoke('runs.get', { runId });
      set((s) => ({ summaries: { ...s.summaries, [runId]: r }, list: s.list.map((x) => (x.id === runId ? r : x)) }));
      return r;
    } catch {
      return null;
    }
  },
}));

function scheduleRender(runId: string): void {
  dirty.add(runId);
  if (renderTimer) return;
  renderTimer = setTimeout(() => {
    renderTimer = null;
    const ids = [...dirty];
    dirty.clear();
    useRuns.setState((s) => {
      const versions = { ...s.versions };
      for (const id of ids) versions[id] = (versions[id] ?? 0) + 1;
      return { versions };
    });
  }, RENDER_MS);
}

/** Status changes alter the list (and queue positions): refresh it once per burst. */
function scheduleListRefresh(): void {
  if (listTimer) return;
  listTimer = setTimeout(() => {
    listTimer = null;
    void useRuns.getState().refreshList().catch(() => undefined);
  }, 200);
}

async function sync(runId: string): Promise<void> {
  const w = watched.get(runId);
  if (!w || w.syncing) return;
  w.syncing = true;
  try {
    for (;;) {
      const page = await bridge.invoke('runs.events', { runId, afterSeq: w.data.lastSeq, limit: REPLAY_PAGE });
      for (const e of page) w.data.apply(e);
      if (page.length < REPLAY_PAGE) break;
    }
    await useRuns.getState().refreshRun(runId);
  } catch {
    // Disconnected mid-replay: the reconnect starts another sync from lastSeq.
  } finally {
    w.syncing = false;
    // Held events the replay already covered are skipped by seq; the rest follow in order.
    for (const e of w.held.splice(0).sort((a, b) => a.seq - b.seq)) w.data.apply(e);
    scheduleRender(runId);
  }
}

function onEvent(e: RunEvent): void {
  if (e.kind === 'status') scheduleListRefresh();
  const w = watched.get(e.runId);
  if (!w) return;
  if (w.syncing) {
    w.held.push(e);
    return;
  }
  if (e.seq > w.data.lastSeq + 1) {
    // A gap: something was missed (or numbering jumped after a crash). The store has the truth.
    w.held.push(e);
    void sync(e.runId);
    return;
  }
  if (w.data.apply(e)) {
    if (e.kind === 'status') void useRuns.getState().refreshRun(e.runId);
    scheduleRender(e.runId);
  }
}

let subscribed = false;
function ensureSubscribed(): void {
  if (subscribed) return;
  subscribed = true;
  bridge.on('runs.event', onEvent);
  let wasConnected = true;
  connectionListeners.add((connected) => {
    if (connected && !wasConnected) {
      for (const id of watched.keys()) void sync(id);
      scheduleListRefresh();
    }
    wasConnected = connected;
  });
}

/** Starts following a run (replaying its history first); returns the function that stops it. */
export function watchRun(runId: string): () => void {
  ensureSubscribed();
  let w = watched.get(runId);
  if (!w) {
    w = { data: new RunData(runId), syncing: false, held: [], watchers: 0 };
    watched.set(runId, w);
  }
  w.watchers++;
  void sync(runId);
  return () => {
    w.watchers--;
    // Kept (not deleted) so coming back to the run replays only what is new.
  };
}

/** Starts listening for status events so the runs list stays current. */
export function watchList(): void {
  ensureSubscribed();
}

export function runData(runId: string): RunData | null {
  return watched.get(runId)?.data ?? null;
}

/** Forget a deleted run. */
export function dropRun(runId: string): void {
  watched.delete(runId);
  useRuns.setState((s) => {
    const { [runId]: _gone, ...summaries } = s.summaries;
    return { summaries, list: s.list.filter((r) => r.id !== runId) };
  });
}
