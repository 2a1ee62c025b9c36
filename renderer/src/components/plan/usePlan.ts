import { useEffect, useRef, useState } from 'react';
import { bridge, errorText } from '../../bridge';
import type { DatasetTokenStats, Objective, Plan, PlanOverrides } from '../../../../electron/shared/types/plan';

/**
 * Asks the core for a plan whenever what it depends on changes, a moment after the last change (typing a
 * number should not send a request per keystroke); answers to superseded requests are dropped.
 */
export function usePlan(modelId: string | null, objective: Objective, overrides: PlanOverrides, stats: DatasetTokenStats | null, hardwareKey: string) {
  const [plan, setPlan] = useState<Plan | null>(null);
  const [error, setError] = useState<{ message: string; hint?: string } | null>(null);
  const [busy, setBusy] = useState(false);
  // Bumped to plan again with what changed in the core (a measured CPU speed).
  const [generation, setGeneration] = useState(0);
  const seq = useRef(0);
  const key = JSON.stringify([modelId, objective, overrides, stats, hardwareKey, generation]);
  useEffect(() => {
    if (!modelId) return;
    const mine = ++seq.current;
    setBusy(true);
    const timer = setTimeout(() => {
      bridge
        .invoke('plan.compute', { model: modelId, overrides: { ...overrides, objective }, datasetStats: stats })
        .then((p) => {
          if (mine !== seq.current) return;
          setPlan(p);
          setError(null);
        })
        .catch((err) => mine === seq.current && setError(errorText(err)))
        .finally(() => mine === seq.current && setBusy(false));
    }, 200);
    return () => clearTimeout(timer);
  }, [key]);
  return { plan, error, busy, refresh: () => setGeneration((g) => g + 1) };
}
