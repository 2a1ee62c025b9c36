/**
 * Local vs hosted cost per 1M generated tokens, from the report's measured speed and power and the prices
 * the user entered. Pure, shared by the run page, the exported report and `hone eval`.
 *
 *   energy per 1M tokens (kWh) = watts × (1e6 / tokens_per_second) s ÷ 3.6e6 J/kWh
 *   local cost per 1M tokens   = that × price per kWh
 *
 * The speed is the tuned model's as served by Ollama when that was measured (what the user will run),
 * otherwise the sidecar's; the power is what nvidia-smi reported during the same generation, or the
 * watts the user entered when it could not be measured. Never a guess: a missing input leaves the
 * result null and says which input is missing. Single-stream speed: batched serving costs less.
 */
import type { CostSettings, EvalReport } from './types/eval';

export const DEFAULT_COSTS: CostSettings = { hostedPricePer1M: null, pricePerKwh: null, watts: null, currency: 'USD' };

export interface CostComparison {
  tokensPerSecond: number | null;
  speedFrom: 'ollama' | 'sidecar' | null;
  watts: number | null;
  wattsFrom: 'measured' | 'entered' | null;
  /** Why the power was not measured, when it was not. */
  powerNote: string | null;
  kwhPer1M: number | null;
  localPer1M: number | null;
  hostedPer1M: number | null;
  /** hosted / local: how many times cheaper local is (below 1: dearer). */
  ratio: number | null;
  /** Inputs still needed for a full comparison, in words. */
  missing: string[];
  currency: string;
}

const positive = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

export function costComparison(report: EvalReport, settings: Partial<CostSettings> | null | undefined): CostComparison {
  const s = { ...DEFAULT_COSTS, ...(settings ?? {}) };
  const ollamaTps = report.ollama?.tuned.tokens_per_second ?? null;
  const useOllama = positive(ollamaTps);
  const tps = useOllama ? ollamaTps : (report.tuned.tokens_per_second ?? null);
  const power = useOllama ? report.ollama!.power : report.power;
  const measured = positive(power?.watts) ? power!.watts! : null;
  const watts = measured ?? (positive(s.watts) ? s.watts : null);
  const missing: string[] = [];
  if (!positive(tps)) missing.push('a measured speed');
  if (watts === null) missing.push('the power draw in watts');
  if (!positive(s.pricePerKwh)) missing.push('your electricity price per kWh');
  if (!positive(s.hostedPricePer1M)) missing.push('the hosted API price per 1M tokens');
  const kwhPer1M = positive(tps) && watts !== null ? (watts * (1e6 / tps)) / 3.6e6 : null;
  const localPer1M = kwhPer1M !== null && positive(s.pricePerKwh) ? kwhPer1M * s.pricePerKwh : null;
  const hostedPer1M = positive(s.hostedPricePer1M) ? s.hostedPricePer1M : null;
  return {
    tokensPerSecond: positive(tps) ? tps : null,
    speedFrom: positive(tps) ? (useOllama ? 'ollama' : 'sidecar') : null,
    watts,
    wattsFrom: measured !== null ? 'measured' : watts !== null ? 'entered' : null,
    powerNote: measured === null ? (power?.reason ?? 'The power draw was not measured.') : null,
    kwhPer1M,
    localPer1M,
    hostedPer1M,
    ratio: localPer1M !== null && hostedPer1M !== null && localPer1M > 0 ? hostedPer1M / localPer1M : null,
    missing,
    currency: s.currency || 'USD',
  };
}

export function money(v: number | null, currency: string): string {
  if (v === null) return '—';
  const digits = v >= 100 ? 0 : v >= 1 ? 2 : v >= 0.01 ? 3 : 5;
  return `${v.toFixed(digits)} ${currency}`;
}

/** One sentence for the verdict line, or null while inputs are missing. */
export function costSentence(c: CostComparison): string | null {
  if (c.localPer1M === null || c.hostedPer1M === null) return null;
  const cmp = c.ratio !== null && c.ratio >= 1 ? `${c.ratio.toFixed(c.ratio >= 10 ? 0 : 1)}× cheaper than` : 'dearer than';
  return `Running it here costs about ${money(c.localPer1M, c.currency)} per 1M tokens, ${cmp} the hosted API at ${money(c.hostedPer1M, c.currency)}.`;
}
