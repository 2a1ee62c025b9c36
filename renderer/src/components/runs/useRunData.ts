import { useEffect } from 'react';
import { runData, useRuns, watchRun } from '../../stores/runs';
import type { RunData } from './run-data';
import type { RunSummary } from '../../../../electron/shared/types/runs';

/** Follows a run while the component is mounted; re-renders at the store's throttled pace. */
export function useRunData(runId: string): { data: RunData | null; version: number; summary: RunSummary | null } {
  useEffect(() => watchRun(runId), [runId]);
  const version = useRuns((s) => s.versions[runId] ?? 0);
  const summary = useRuns((s) => s.summaries[runId] ?? null);
  return { data: runData(runId), version, summary };
}
