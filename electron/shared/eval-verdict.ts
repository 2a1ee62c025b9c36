/**
 * "Was this fine-tune worth it?" in one line, from the stored report's numbers. Pure: the run page, the
 * exported report and `hone eval` all call this, so they say the same thing.
 *
 * The headline metrics are the similarity ones (ROUGE-L, chrF), plus JSON validity when the references are
 * JSON and preference accuracy for DPO. Better/worse needs both a mean change of at least MIN_GAIN over those
 * metrics and rows that moved mostly one way: a one-sided sign test over the rows whose ROUGE-L + chrF
 * changed, at p < SIGN_TEST_P. So neither one lucky row nor a uniform hair of difference makes a verdict.
 */
import type { EvalLeg, EvalReport } from './types/eval';

export type MetricKey = 'rouge_l' | 'chrf' | 'exact_match' | 'json_valid' | 'json_same_keys' | 'preference_accuracy';

export interface MetricInfo {
  key: MetricKey;
  label: string;
  help: string;
}

/** Every share metric in the order the chart, tables and exports show them. */
export const METRICS: readonly MetricInfo[] = [
  { key: 'rouge_l', label: 'ROUGE-L', help: 'Longest common word sequence with the reference (F1)' },
  { key: 'chrf', label: 'chrF', help: 'Character n-gram overlap with the reference' },
  { key: 'exact_match', label: 'Exact match', help: 'Replies equal to the reference, ignoring whitespace' },
  { key: 'json_valid', label: 'Valid JSON', help: 'Replies that parse as JSON, where the reference is JSON' },
  { key: 'json_same_keys', label: 'Same JSON keys', help: 'Replies with exactly the reference object\'s keys' },
  { key: 'preference_accuracy', label: 'Preference accuracy', help: 'Pairs where the chosen reply is more likely than the rejected one' },
];

export const MIN_GAIN = 0.05;
export const SIGN_TEST_P = 0.05;

/** P(at least `wins` of wins + losses fair coin flips come up heads): the one-sided sign test. */
export function signTestP(wins: number, losses: number): number {
  const m = wins + losses;
  if (m === 0) return 1;
  let p = 0;
  let c = 1; // C(m, 0)
  for (let k = 0; k <= m; k++) {
    if (k >= wins) p += c;
    c = (c * (m - k)) / (k + 1);
  }
  return p / 2 ** m;
}

/** The metrics that apply to this report: null in both legs means "does not apply". */
export function applicableMetrics(base: EvalLeg, tuned: EvalLeg): MetricInfo[] {
  return METRICS.filter((m) => base[m.key] !== null || tuned[m.key] !== null);
}

export interface Verdict {
  /** inconclusive: a clear change on average that the rows do not agree on consistently enough (or too few rows). */
  kind: 'better' | 'worse' | 'same' | 'inconclusive' | 'none';
  /** One sentence that answers the question, with the numbers behind it. */
  headline: string;
  /** Mean gain over the headline metrics (tuned - base). */
  gain: number;
  wins: number;
  losses: number;
  headlineMetrics: MetricKey[];
  /** What limits the verdict: few rows, a stopped evaluation, Ollama serving the model differently. */
  caveats: string[];
}

export function share(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined ? '—' : v.toFixed(digits);
}

export const FEW_ROWS = 10;

function caveats(report: EvalReport): string[] {
  const out: string[] = [];
  if (report.n > 0 && report.n < FEW_ROWS) out.push(`Only ${report.n} row${report.n === 1 ? '' : 's'} evaluated: treat this as a hint, not a measurement.`);
  if (report.ollama?.mismatch.flagged) out.push(report.ollama.mismatch.message);
  return out;
}

export function verdict(report: EvalReport): Verdict {
  const { base, tuned, n } = report;
  const keys: MetricKey[] = ['rouge_l', 'chrf'];
  if (base.json_valid !== null && tuned.json_valid !== null) keys.push('json_valid');
  if (base.preference_accuracy !== null && tuned.preference_accuracy !== null) keys.push('preference_accuracy');
  if (n === 0) return { kind: 'none', headline: 'No rows were evaluated, so there is nothing to compare yet.', gain: 0, wins: 0, losses: 0, headlineMetrics: keys, caveats: [] };
  const deltas = keys.map((k) => (tuned[k] ?? 0) - (base[k] ?? 0));
  const gain = deltas.reduce((a, b) => a + b, 0) / deltas.length;
  let wins = 0;
  let losses = 0;
  for (const ex of report.examples) {
    const d = ex.scores.tuned.rouge_l + ex.scores.tuned.chrf - (ex.scores.base.rouge_l + ex.scores.base.chrf);
    if (d > 1e-9) wins++;
    else if (d < -1e-9) losses++;
  }
  const numbers = keys.map((k) => `${METRICS.find((m) => m.key === k)!.label} ${share(base[k])} → ${share(tuned[k])}`).join(', ');
  const rows = `${n} held-out row${n === 1 ? '' : 's'}`;
  const tally = `better on ${wins}, worse on ${losses} of ${n}`;
  let kind: Verdict['kind'] = 'same';
  if (gain >= MIN_GAIN) kind = signTestP(wins, losses) < SIGN_TEST_P ? 'better' : 'inconclusive';
  else if (gain <= -MIN_GAIN) kind = signTestP(losses, wins) < SIGN_TEST_P ? 'worse' : 'inconclusive';
  const more = n < FEW_ROWS ? 'too few rows to be sure: evaluate more' : 'the rows do not agree consistently enough to be sure';
  const headline =
    kind === 'better'
      ? `Yes: the fine-tuned model beats the base model on ${rows} (${numbers}; ${tally}).`
      : kind === 'worse'
        ? `No: the fine-tuned model does worse than the base model on ${rows} (${numbers}; ${tally}).`
        : kind === 'inconclusive'
          ? `Not clearly: the fine-tuned model scores ${gain > 0 ? 'higher' : 'lower'} on average on ${rows} (${numbers}; ${tally}), but ${more}.`
          : `Not clearly: the fine-tuned and base models score about the same on ${rows} (${numbers}; ${tally}).`;
  return { kind, headline, gain: Math.round(gain * 10_000) / 10_000, wins, losses, headlineMetrics: keys, caveats: caveats(report) };
}

export interface MetricRow extends MetricInfo {
  base: number | null;
  tuned: number | null;
  /** Present when the report has an Ollama leg (preference accuracy is sidecar-only). */
  ollamaBase?: number | null;
  ollamaTuned?: number | null;
}

/** The applicable metrics with each model's value: the chart, the tables and the exports all show these. */
export function metricRows(report: EvalReport): MetricRow[] {
  return applicableMetrics(report.base, report.tuned).map((m) => ({
    ...m,
    base: report.base[m.key],
    tuned: report.tuned[m.key],
    ...(report.ollama ? { ollamaBase: report.ollama.base[m.key], ollamaTuned: report.ollama.tuned[m.key] } : {}),
  }));
}

/** The last user turn of a prompt: what a table shows in one cell (the whole conversation is one click away). */
export function lastUserTurn(prompt: { role: string; content: string }[]): string {
  for (let i = prompt.length - 1; i >= 0; i--) if (prompt[i].role === 'user') return prompt[i].content;
  return prompt.at(-1)?.content ?? '';
}
