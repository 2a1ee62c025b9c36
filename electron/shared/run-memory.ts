/**
 * How good the planner's memory estimates have been on this machine (issue #16): from the runs' memory
 * records, the estimate against what was measured at the planned settings. Pure, for the CLI (`hone runs
 * --memory`) and the renderer alike.
 */
import type { RunMemory, TrainSettings } from './types/memory';

const same = (a: TrainSettings, b: TrainSettings) => a.batchSize === b.batchSize && a.gradAccum === b.gradAccum && a.maxSeqLength === b.maxSeqLength;

/**
 * What the run measured at exactly the settings the estimate was for, on the budget's basis: the memory
 * check's first reading (it probes the planned settings first), else the training peak plus the CUDA context
 * when the run trained as planned. null when nothing comparable was measured.
 */
export function measuredAtPlan(m: RunMemory | null | undefined): number | null {
  if (!m) return null;
  const first = m.check?.readings[0];
  if (first && !first.oom && same(first, m.planned)) return first.usedGb;
  const trainedAsPlanned = !m.check?.applied || same(m.check.applied, m.planned);
  if (typeof m.trainingPeakGb === 'number' && m.trainingPeakGb > 0 && trainedAsPlanned) return m.trainingPeakGb + (m.contextGb ?? 0);
  return null;
}

export interface MemoryAccuracy {
  device: 'cuda' | 'cpu';
  runs: number;
  /** The largest |measured / estimated - 1| over those runs, in percent. */
  worstPct: number;
  /** The mean of measured / estimated - 1, in percent: positive when the estimates ran low. */
  meanPct: number;
}

/** Over the newest `last` runs of that device that measured their plan (runs newest first, as listed). */
export function memoryAccuracy(runs: { memory?: RunMemory | null }[], device: 'cuda' | 'cpu', last = 5): MemoryAccuracy | null {
  const errors: number[] = [];
  for (const r of runs) {
    const m = r.memory;
    if (!m || m.device !== device || !(m.plannedGb > 0)) continue;
    const measured = measuredAtPlan(m);
    if (measured === null) continue;
    errors.push(measured / m.plannedGb - 1);
    if (errors.length >= last) break;
  }
  if (!errors.length) return null;
  return {
    device,
    runs: errors.length,
    worstPct: Math.max(...errors.map((e) => Math.abs(e) * 100)),
    meanPct: (errors.reduce((a, b) => a + b, 0) / errors.length) * 100,
  };
}

/** "Our memory estimates were within 7% on your last 5 GPU runs (3% low on average)." */
export function accuracySentence(a: MemoryAccuracy): string {
  const where = `${a.runs === 1 ? 'your last' : `your last ${a.runs}`} ${a.device === 'cuda' ? 'GPU' : 'CPU'} run${a.runs === 1 ? '' : 's'}`;
  const worst = Math.ceil(a.worstPct - 1e-9);
  const head = worst <= 25 ? `Our memory estimates were within ${worst}% on ${where}` : `Our memory estimates were off by up to ${worst}% on ${where}`;
  const mean = Math.round(Math.abs(a.meanPct));
  const bias = mean < 1 ? '' : ` (${mean}% ${a.meanPct > 0 ? 'low' : 'high'} on average${a.meanPct > 0 ? ': the memory check at the start of each run catches what the estimate misses' : ''})`;
  return `${head}${bias}.`;
}
