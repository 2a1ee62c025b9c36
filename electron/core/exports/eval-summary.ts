/**
 * The evaluation numbers a model card shows, and nothing else of the report.
 *
 * HOOK for the evaluation feature (branch `eval`): its reports are kept in SQLite and as eval_report.json in
 * the run folder ({ savedAt, report: EvalReport }). This reads the folder copy, so the card needs no table of
 * its own; after the merge, `readEvalSummary` may read the store's latest completed report instead. Only the
 * aggregate metrics are taken: a report's examples hold the user's held-out rows and never reach a card.
 */
import fs from 'node:fs';
import path from 'node:path';

export const EVAL_REPORT_FILE = 'eval_report.json';

type Num = number | null;

export interface LegSummary {
  rouge_l: Num;
  chrf: Num;
  exact_match: Num;
  json_valid: Num;
  preference_accuracy: Num;
  tokens_per_second: Num;
}

export interface EvalSummary {
  n: number;
  objective: string;
  device: string | null;
  base: LegSummary;
  tuned: LegSummary;
  /** The same rows through Ollama, when the evaluation ran them there too. */
  ollama: { n: number; base: LegSummary; tuned: LegSummary } | null;
  savedAt: string | null;
}

const num = (v: unknown): Num => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function leg(raw: unknown): LegSummary | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  return { rouge_l: num(r.rouge_l), chrf: num(r.chrf), exact_match: num(r.exact_match), json_valid: num(r.json_valid), preference_accuracy: num(r.preference_accuracy), tokens_per_second: num(r.tokens_per_second) };
}

/** Aggregates of a report object as the eval feature stores it; null when it is not one. */
export function summariseReport(report: unknown, savedAt: string | null = null): EvalSummary | null {
  if (!report || typeof report !== 'object') return null;
  const r = report as Record<string, unknown>;
  const base = leg(r.base);
  const tuned = leg(r.tuned);
  if (!base || !tuned || typeof r.n !== 'number') return null;
  const o = r.ollama as Record<string, unknown> | undefined;
  const ob = o ? leg(o.base) : null;
  const ot = o ? leg(o.tuned) : null;
  return {
    n: r.n,
    objective: typeof r.objective === 'string' ? r.objective : 'sft',
    device: typeof r.device === 'string' ? r.device : null,
    base,
    tuned,
    ollama: ob && ot && typeof o?.n === 'number' ? { n: o.n, base: ob, tuned: ot } : null,
    savedAt,
  };
}

export function readEvalSummary(outputDir: string): EvalSummary | null {
  try {
    const raw = JSON.parse(fs.readFileSync(path.join(outputDir, EVAL_REPORT_FILE), 'utf8')) as { savedAt?: string; report?: unknown };
    return summariseReport(raw.report, typeof raw.savedAt === 'string' ? raw.savedAt : null);
  } catch {
    return null;
  }
}
