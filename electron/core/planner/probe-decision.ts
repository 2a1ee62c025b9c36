/**
 * What the planner decides after the memory check measured a few steps (issue #16). Pure: readings in,
 * verdict out. The sidecar measures and asks; the host (sidecar/probe-host.ts) answers with this, so the
 * margin, the batch ladder and the sequence ladder are the planner's own (margin.ts, search.ts) and exist once.
 *
 * Order, when the measured peak is above the budget less its margin:
 * 1. a smaller batch, with more gradient accumulation so every optimiser step still sees the same rows;
 * 2. at batch 1, a shorter max_seq_length, but only where no row is cut, or with the user's consent. Batches
 *    are padded to their longest row, so a limit above the longest row changes nothing: in practice step 2
 *    means cutting rows, and the run stops to ask unless the user allowed it;
 * 3. otherwise the run stops: it does not fit, and the message says by how much.
 * Each new setting is chosen from a prediction (the readings so far, or the planner's share of activations
 * in its estimate) and then measured again: the prediction only picks what to try.
 *
 * When the planned settings use at most ROOM_FOR_FASTER of what a run may use, a faster plan (a larger batch,
 * less accumulation, the same effective batch) is offered, or probed and taken when the user asked for that.
 */
import type { Objective } from '../../shared/types/plan';
import type { ProbeDecision, ProbeReading, TrainSettings } from '../../shared/types/memory';
import { DEFAULTS } from './defaults';
import { marginGb, usableGb } from './margin';

/** The measured peak at most this share of what a run may use: offer a larger batch. */
export const ROOM_FOR_FASTER = 0.6;
/** A faster plan is offered only when predicted to stay under this share of what a run may use. */
export const FASTER_FILL = 0.85;
export const MAX_ATTEMPTS = 6;

export interface ProbeInput {
  device: 'cuda' | 'cpu';
  budgetGb: number;
  objective: Objective;
  /** The plan's settings, before any check. */
  planned: TrainSettings;
  /** Share of the plan's estimate that is activations (they grow with batch x tokens): plan.breakdown. */
  activationShare: number;
  /** Every reading so far, oldest first; the decision is about the last one. */
  readings: ProbeReading[];
  /** Token counts of the longest rows before any cut, longest first (the sidecar sends the top few thousand). */
  rowTokens: number[];
  rows: number;
  allowTruncation: boolean;
  takeFaster: boolean;
}

const same = (a: TrainSettings, b: TrainSettings) => a.batchSize === b.batchSize && a.gradAccum === b.gradAccum && a.maxSeqLength === b.maxSeqLength;
const pick = (s: TrainSettings): TrainSettings => ({ batchSize: s.batchSize, gradAccum: s.gradAccum, maxSeqLength: s.maxSeqLength });

/** "21.7", "24", "0.62": one decimal from 10 GB up, two below, no trailing zeros. */
export function fmtProbeGb(v: number): string {
  return String(Number(v.toFixed(v >= 10 ? 1 : 2)));
}

const batchText = (s: TrainSettings) => `batch ${s.batchSize} x ${s.gradAccum}`;

/** Tokens per row the probe's batches would hold at these settings (its longest rows, cut by the limit). */
function tokensAt(s: TrainSettings, last: ProbeReading): number {
  return Math.min(s.maxSeqLength, Math.max(last.tokens, 1));
}

/**
 * Peak (on the budget's basis) predicted for a batch of `tokens` in all: a line through the two latest
 * readings of different sizes, or from one reading with the planner's split into fixed memory (weights,
 * optimiser, context) and activations. null when every reading ran out of memory.
 */
export function predictor(readings: ProbeReading[], activationShare: number): ((batchTokens: number) => number) | null {
  const ok = readings.filter((r) => !r.oom);
  const last = ok.at(-1);
  if (!last) return null;
  const t = (r: ProbeReading) => r.batchSize * r.tokens;
  const other = [...ok].reverse().find((r) => t(r) !== t(last));
  if (other) {
    const slope = (last.usedGb - other.usedGb) / (t(last) - t(other));
    if (slope > 0) {
      const fixed = last.usedGb - slope * t(last);
      return (tokens) => Math.max(fixed, 0) + slope * tokens;
    }
  }
  const share = Math.min(0.95, Math.max(0.05, Number.isFinite(activationShare) ? activationShare : 0.5));
  const activations = share * last.usedGb;
  return (tokens) => last.usedGb - activations + (activations * tokens) / t(last);
}

function halvings(from: number, min: number): number[] {
  const out: number[] = [];
  for (let x = Math.floor(from / 2); x >= min; x = Math.floor(x / 2)) out.push(x);
  return out;
}

export function decideAfterProbe(input: ProbeInput): ProbeDecision {
  const { budgetGb, device } = input;
  const usable = usableGb(budgetGb, device);
  const margin = marginGb(budgetGb, device);
  const readings = input.readings;
  const last = readings.at(-1);
  if (!last) throw new Error('decideAfterProbe needs a reading');
  const fits = (r: ProbeReading) => !r.oom && r.usedGb <= usable;
  const base = { budgetGb, marginGb: margin, usableGb: usable, usedGb: last.usedGb };
  const of = `${fmtProbeGb(last.usedGb)} of ${fmtProbeGb(budgetGb)} GB`;
  const over = `more than the ${fmtProbeGb(usable)} GB a run may use (a ${fmtProbeGb(margin)} GB margin stays free)`;
  const measured = last.oom ? `${batchText(last)} ran out of memory` : `${of} at ${batchText(last)}`;
  const predict = predictor(readings, input.activationShare);

  // A faster plan was being tried: take it if it fits, otherwise the best setting that was measured to fit.
  const fitted = readings.slice(0, -1).filter(fits);
  if (fitted.length) {
    if (fits(last)) return { ...base, action: 'accept', verdict: 'faster', settings: pick(last), message: `Checking memory: ${of} at ${batchText(last)}, fits: training faster than planned.` };
    const best = fitted.reduce((a, b) => (b.batchSize > a.batchSize ? b : a));
    return {
      ...base,
      action: 'accept',
      verdict: same(best, input.planned) ? 'fits' : 'replanned',
      settings: pick(best),
      usedGb: best.usedGb,
      message: `Checking memory: ${measured}, too much for a faster plan; training with ${batchText(best)} (${fmtProbeGb(best.usedGb)} of ${fmtProbeGb(budgetGb)} GB), which fits.`,
    };
  }

  if (fits(last)) {
    const planned = same(last, input.planned);
    const offer = planned && last.usedGb <= ROOM_FOR_FASTER * usable && predict ? fasterOffer(last, predict, usable) : null;
    if (offer && input.takeFaster && readings.length < MAX_ATTEMPTS) {
      return { ...base, action: 'retry', verdict: 'trying_faster', settings: offer.settings, offer, message: `Checking memory: ${of}, fits with room to spare; trying ${batchText(offer.settings)} (faster, the same ${offer.settings.batchSize * offer.settings.gradAccum} rows per optimiser step).` };
    }
    const also = offer ? `; ${batchText(offer.settings)} would also fit (about ${fmtProbeGb(offer.predictedGb)} GB) and train faster` : '';
    return {
      ...base,
      action: 'accept',
      verdict: planned ? 'fits' : 'replanned',
      settings: pick(last),
      offer,
      message: planned ? `Checking memory: ${of}, fits${also}.` : `Checking memory: ${of} at ${batchText(last)}, fits (the plan's ${batchText(input.planned)} did not).`,
    };
  }

  const stop = (verdict: 'does_not_fit' | 'needs_consent', message: string, hint: string, extra: Partial<ProbeDecision> = {}): ProbeDecision => ({ ...base, action: 'abort', verdict, settings: pick(last), message, hint, ...extra });
  const advice = device === 'cuda'
    ? 'Close other programs that use the GPU, or plan again with QLoRA (4-bit), a shorter max_seq_length or a smaller model.'
    : 'Raise the memory budget, or plan again with a shorter max_seq_length or a smaller model.';
  if (readings.length >= MAX_ATTEMPTS) return stop('does_not_fit', `Checking memory: ${measured}, ${over}, after ${readings.length} tries.`, advice);

  // 1. A smaller batch, the effective batch kept by accumulation.
  const effective = input.planned.batchSize * input.planned.gradAccum;
  if (last.batchSize > 1) {
    const candidates = halvings(last.batchSize, 1);
    const tokens = tokensAt(last, last);
    // Without a prediction (every probe ran out of memory) halve; otherwise the largest predicted to fit.
    const b = !predict ? candidates[0] : (candidates.find((c) => predict(c * tokens) <= usable) ?? candidates.at(-1)!);
    const settings = { batchSize: b, gradAccum: Math.max(1, Math.ceil(effective / b)), maxSeqLength: last.maxSeqLength };
    const kept = settings.batchSize * settings.gradAccum === effective ? `the same ${effective} rows per optimiser step` : `${settings.batchSize * settings.gradAccum} rows per optimiser step`;
    return { ...base, action: 'retry', verdict: 'smaller', settings, message: `Checking memory: ${last.oom ? measured : `${measured}, ${over}`}; trying ${batchText(settings)} (${kept}).` };
  }

  // 2. Batch 1: only a shorter max_seq_length is left. DPO pairs are cut by TRL's own rules: plan again instead.
  const atOne = last.oom ? `batch 1 ran out of memory at ${last.tokens} tokens per row` : `${of} even at batch 1 (${last.tokens} tokens per row)`;
  if (input.objective === 'dpo') return stop('does_not_fit', `Checking memory: ${atOne}, ${over}.`, `${advice} DPO pairs are not cut by the memory check.`);
  const seqs = halvings(last.maxSeqLength, DEFAULTS.minSeqLength).filter((s) => s < last.tokens);
  if (!seqs.length) return stop('does_not_fit', `Checking memory: ${atOne}, ${over}.`, advice);
  const s = !predict ? seqs[0] : (seqs.find((x) => predict(x) <= usable) ?? seqs.at(-1)!);
  // Row lengths unknown (an older sidecar): cutting is assumed to cut, so it needs consent.
  const known = input.rowTokens.length > 0;
  const cut = known ? input.rowTokens.filter((n) => n > s).length : 1;
  const cutText = !known ? 'some' : cut >= input.rowTokens.length && input.rows > cut ? `at least ${cut}` : String(cut);
  const settings = { batchSize: 1, gradAccum: Math.max(1, effective), maxSeqLength: s };
  const predicted = predict ? ` (about ${fmtProbeGb(predict(s))} GB)` : '';
  if (cut === 0 || input.allowTruncation) {
    const why = cut === 0 ? 'no row is longer' : `cuts ${cutText} of ${input.rows} rows, as you allowed`;
    return { ...base, action: 'retry', verdict: 'smaller', settings, truncatedRows: cut, message: `Checking memory: ${atOne}, ${over}; trying max_seq_length ${s}${predicted} (${why}).` };
  }
  return stop(
    'needs_consent',
    `Checking memory: ${atOne}, ${over}. Cutting rows to ${s} tokens should fit${predicted}, but cuts ${cutText} of ${input.rows} rows.`,
    `Allow it and start again (hone train --allow-truncation, or "Allow cutting long rows" in the Train step), or: ${advice}`,
    { truncatedRows: cut, offer: null, settings: pick(last) },
  );
}

/** The largest batch, by doublings, that keeps the effective batch and is predicted to fit comfortably. */
function fasterOffer(last: ProbeReading, predict: (tokens: number) => number, usable: number): ProbeDecision['offer'] {
  let best: { settings: TrainSettings; predictedGb: number } | null = null;
  for (let k = 2; last.gradAccum % k === 0; k *= 2) {
    const settings = { batchSize: last.batchSize * k, gradAccum: last.gradAccum / k, maxSeqLength: last.maxSeqLength };
    const predictedGb = predict(settings.batchSize * last.tokens);
    if (predictedGb > FASTER_FILL * usable) break;
    best = { settings, predictedGb };
  }
  return best;
}
