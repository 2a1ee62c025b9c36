// The one-line verdict, the cost comparison and the serving-mismatch flag, on reports built from row scores.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { costComparison, costSentence } from '../../shared/eval-cost';
import { replyDiff } from '../../shared/eval-diff';
import { metricRows, signTestP, verdict } from '../../shared/eval-verdict';
import type { EvalLeg, PowerMeasurement } from '../../shared/types/eval';
import { makeReport, same, scores } from './fixtures/report';
import { servingMismatch } from './mismatch';
import { contextFor } from './ollama-leg';

const rows = (n: number, base: [number, number], tuned: [number, number], json: [boolean | null, boolean | null] = [null, null]) =>
  Array.from({ length: n }, () => ({ base: scores(base[0], base[1], json[0]), tuned: scores(tuned[0], tuned[1], json[1]) }));

test('a clear gain on most rows is a yes, with the numbers behind it', () => {
  const v = verdict(makeReport(rows(12, [0.1, 0.2], [0.8, 0.9])));
  assert.equal(v.kind, 'better');
  assert.match(v.headline, /^Yes: .*12 held-out rows \(ROUGE-L 0\.10 → 0\.80, chrF 0\.20 → 0\.90; better on 12, worse on 0 of 12\)/);
  assert.deepEqual(v.caveats, []);
});

test('a loss is a no; a hair of difference or one lucky row is "not clearly"', () => {
  assert.equal(verdict(makeReport(rows(12, [0.6, 0.6], [0.3, 0.3]))).kind, 'worse');
  assert.equal(verdict(makeReport(rows(12, [0.5, 0.5], [0.52, 0.52]))).kind, 'same', 'below the minimum gain');
  const lucky = [...same(11, 0.5, 0.5), { base: scores(0, 0), tuned: scores(1, 1) }];
  const luckyVerdict = verdict(makeReport(lucky));
  assert.equal(luckyVerdict.kind, 'inconclusive', 'one row of twelve moves the mean by .08 but wins only one row');
  assert.match(luckyVerdict.headline, /^Not clearly: the fine-tuned model scores higher on average .* but the rows do not agree consistently enough to be sure\.$/);
  const four = verdict(makeReport(rows(4, [0.1, 0.1], [0.9, 0.9])));
  assert.equal(four.kind, 'inconclusive', 'four of four could be chance (p = 1/16)');
  assert.match(four.headline, /scores higher on average on 4 held-out rows .* too few rows to be sure: evaluate more\.$/);
  // Five of five rows better is unlikely by chance (p = 1/32): a yes, with the few-rows caveat.
  const five = verdict(makeReport(rows(5, [0.1, 0.1], [0.6, 0.6])));
  assert.equal(five.kind, 'better');
  assert.match(five.caveats[0], /Only 5 rows/);
  assert.equal(signTestP(4, 0), 1 / 16);
  assert.equal(signTestP(0, 0), 1);
  assert.ok(Math.abs(signTestP(8, 2) - 56 / 1024) < 1e-12);
});

test('JSON validity joins the headline when references are JSON, and few rows carry a caveat', () => {
  const v = verdict(makeReport(rows(5, [0.2, 0.3], [0.7, 0.8], [false, true])));
  assert.deepEqual(v.headlineMetrics, ['rouge_l', 'chrf', 'json_valid']);
  assert.match(v.headline, /Valid JSON 0\.00 → 1\.00/);
  assert.match(v.caveats[0], /Only 5 rows evaluated/);
  assert.equal(verdict(makeReport([])).kind, 'none');
});

test('metrics that do not apply are left out of the chart and tables', () => {
  const text = metricRows(makeReport(rows(3, [0.1, 0.1], [0.2, 0.2])));
  assert.deepEqual(text.map((r) => r.key), ['rouge_l', 'chrf', 'exact_match']);
  const json = metricRows(makeReport(rows(3, [0.1, 0.1], [0.2, 0.2], [false, true])));
  assert.deepEqual(json.map((r) => r.key), ['rouge_l', 'chrf', 'exact_match', 'json_valid', 'json_same_keys']);
});

const measured = (watts: number | null, reason?: string): PowerMeasurement => ({ watts, samples: watts ? 10 : 0, gpu: watts ? 'RTX 4090' : null, ...(reason ? { reason } : {}) });

test('local cost per 1M tokens: watts over tokens/s, in kWh, at the price per kWh', () => {
  const report = { ...makeReport(rows(3, [0.1, 0.1], [0.5, 0.5]), { tps: 50 }), power: measured(300) };
  const c = costComparison(report, { pricePerKwh: 0.3, hostedPricePer1M: 2.5, currency: 'EUR', watts: null });
  // 300 W for 1e6 / 50 = 20,000 s is 6e6 J = 1.667 kWh, at 0.30 = 0.50 per 1M tokens.
  assert.ok(Math.abs(c.kwhPer1M! - 1.6667) < 1e-3);
  assert.ok(Math.abs(c.localPer1M! - 0.5) < 1e-9);
  assert.equal(c.wattsFrom, 'measured');
  assert.equal(c.ratio, 5);
  assert.deepEqual(c.missing, []);
  assert.equal(costSentence(c), 'Running it here costs about 0.500 EUR per 1M tokens, 5.0× cheaper than the hosted API at 2.50 EUR.');
});

test('without a measured power draw the cost waits for the user\'s watts and says why; nothing is invented', () => {
  const report = { ...makeReport(rows(3, [0.1, 0.1], [0.5, 0.5]), { tps: 20 }), power: measured(null, 'No NVIDIA GPU here (nvidia-smi not found), so the power draw was not measured.') };
  const none = costComparison(report, { pricePerKwh: 0.3, hostedPricePer1M: 1, watts: null, currency: 'USD' });
  assert.equal(none.localPer1M, null);
  assert.equal(none.watts, null);
  assert.match(none.powerNote!, /nvidia-smi not found/);
  assert.deepEqual(none.missing, ['the power draw in watts']);
  assert.equal(costSentence(none), null);
  const entered = costComparison(report, { pricePerKwh: 0.3, hostedPricePer1M: 1, watts: 65, currency: 'USD' });
  assert.equal(entered.wattsFrom, 'entered');
  assert.ok(Math.abs(entered.localPer1M! - (65 * (1e6 / 20)) / 3.6e6 * 0.3) < 1e-12);
});

test('the speed as served by Ollama wins over the sidecar\'s, with Ollama\'s power', () => {
  const report = makeReport(rows(3, [0.1, 0.1], [0.5, 0.5]), { tps: 30 });
  const leg = { ...report.tuned, tokens_per_second: 120 } as EvalLeg;
  const withOllama = { ...report, power: measured(200), ollama: { ...({} as NonNullable<typeof report.ollama>), tuned: leg, power: measured(150) } };
  const c = costComparison(withOllama, { pricePerKwh: 1, hostedPricePer1M: null, watts: null, currency: 'USD' });
  assert.deepEqual([c.tokensPerSecond, c.speedFrom, c.watts], [120, 'ollama', 150]);
  assert.deepEqual(c.missing, ['the hosted API price per 1M tokens']);
});

const legOf = (chrf: number, rouge: number) => ({ ...makeReport([]).base, chrf, rouge_l: rouge });

test('serving mismatch: losing most of the fine-tune\'s gain in Ollama is flagged, quantisation noise is not', () => {
  const base = legOf(0.2, 0.1);
  const tuned = legOf(0.9, 0.85);
  const broken = servingMismatch(base, tuned, legOf(0.25, 0.12), 'style:latest');
  assert.equal(broken.flagged, true);
  assert.equal(broken.metric, 'rouge_l');
  assert.match(broken.message, /^Serving mismatch: in Ollama, style:latest scores ROUGE-L 0\.12 .* measured 0\.85/);
  const fine = servingMismatch(base, tuned, legOf(0.87, 0.83), 'style:latest');
  assert.equal(fine.flagged, false);
  assert.match(fine.message, /as trained/);
  // No gain to lose: any clear drop counts.
  assert.equal(servingMismatch(legOf(0.5, 0.5), legOf(0.5, 0.5), legOf(0.4, 0.5), 'm').flagged, true);
});

test('reply diffs mark what the reference does not have, and join back to the reply', () => {
  const parts = replyDiff('{"city": "Oslo", "temp_c": 3}', '{"city": "Oslo", "temp_c": 5}');
  assert.equal(parts.map((p) => p.text).join(''), '{"city": "Oslo", "temp_c": 5}');
  assert.deepEqual(parts.filter((p) => !p.same).map((p) => p.text.trim()), ['5']);
  assert.deepEqual(replyDiff('same text', 'same text'), [{ text: 'same text', same: true }]);
});

test('the Ollama leg asks for a context that holds the longest prompt and its reply', () => {
  const short = makeReport(rows(2, [0.1, 0.1], [0.5, 0.5]));
  assert.equal(contextFor(short), 2048, 'never below Ollama\'s usual default');
  const long = makeReport([{ base: scores(0, 0), tuned: scores(1, 1), prompt: 'x'.repeat(20_000) }]);
  assert.equal(contextFor(long), 8192, '20k characters ≈ 8k tokens, with the reply');
});
