// The exported report: self-contained HTML carrying the stored numbers, and Markdown with the same verdict.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verdict } from '../../shared/eval-verdict';
import { makeReport, scores } from './fixtures/report';
import { renderReport } from './handlers';

const report = {
  ...makeReport(
    Array.from({ length: 12 }, (_, i) => ({
      base: scores(0.1, 0.2, false),
      tuned: scores(0.8, 0.9, true),
      prompt: `Weather report for City${i}: <b>sunny</b>, 20 degrees.`,
      reference: `{"city": "City${i}", "sky": "sunny", "temp_c": 20}`,
      baseText: `The weather in City${i} is sunny & warm | nice.`,
      tunedText: `{"city": "City${i}", "sky": "sunny", "temp_c": 21}`,
    })),
    { tps: 42.5 },
  ),
  power: { watts: null, samples: 0, gpu: null, reason: 'No NVIDIA GPU here (nvidia-smi not found), so the power draw was not measured.' },
};
const meta = { runId: 'run_1', runName: 'Weather JSON', model: 'smollm2', generatedAt: '2026-01-01T00:00:00.000Z', dataSource: 'held-out split' };

test('the HTML report is one self-contained file: no script, nothing fetched from elsewhere', () => {
  const { content, filename, mime } = renderReport(report, meta, 'html', null);
  assert.equal(filename, 'hone-report-weather-json.html');
  assert.equal(mime, 'text/html');
  assert.doesNotMatch(content, /<script|<link|<img|src=|@import|url\(/i);
  assert.match(content, /<svg role="img"/);
});

test('every metric cell carries the stored value, and the verdict is the shared one', () => {
  const { content } = renderReport(report, meta, 'html', { hostedPricePer1M: 2, pricePerKwh: 0.3, watts: null, currency: 'EUR' });
  for (const leg of ['base', 'tuned'] as const) {
    for (const key of ['rouge_l', 'chrf', 'exact_match', 'json_valid', 'tokens_per_second'] as const) {
      const m = new RegExp(`data-metric="${leg}\\.${key}" data-value="([^"]*)"`).exec(content);
      assert.ok(m, `${leg}.${key} is in the report`);
      assert.equal(Number(m[1]), report[leg][key]);
    }
  }
  assert.ok(content.includes(verdict(report).headline.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')));
  assert.match(content, /data-verdict="better"/);
  assert.match(content, /nvidia-smi not found/);
  assert.match(content, /enter the power draw in watts/);
});

test('user text is escaped and the differences from the reference are marked', () => {
  const { content } = renderReport(report, meta, 'html', null);
  assert.ok(content.includes('&lt;b&gt;sunny&lt;/b&gt;'));
  assert.ok(!content.includes('<b>sunny</b>'));
  assert.match(content, /temp_c&quot;: <mark>21<\/mark>}/);
});

test('Markdown: the same verdict and numbers, tables that survive pipes in the text', () => {
  const { content, filename } = renderReport(report, meta, 'markdown', null);
  assert.equal(filename, 'hone-report-weather-json.md');
  assert.ok(content.includes(`**${verdict(report).headline}**`));
  assert.match(content, /\| ROUGE-L \| 0\.100 \| 0\.800 \| \+0\.700 \|/);
  assert.match(content, /sunny & warm \\\| nice\./);
  assert.equal(content.split('\n').filter((l) => /^\| \d+ \|/.test(l)).length, 12);
});
