import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankCharts, rankLabel } from './rank-series';
import { RunData } from './run-data';
import type { SidecarEvent } from '../../../../electron/shared/types/sidecar';

test('a multi-GPU run\'s rank<i>/ figures become one chart per figure with a line per card, in rank order', () => {
  const d = new RunData('r');
  let seq = 0;
  for (const step of [1, 2]) {
    const event = { type: 'metrics', seq: 0, ts: 't', step, max_steps: 2, epoch: 0, loss: 1, peak_reserved_gb: 21.3, 'rank1/peak_reserved_gb': 21.3, 'rank0/peak_reserved_gb': 20.5, 'rank0/gpu_util': 97, 'rank1/gpu_util': 64, 'rank10/gpu_util': 50 } as unknown as SidecarEvent;
    d.apply({ runId: 'r', seq: ++seq, ts: new Date(step * 1000).toISOString(), kind: 'sidecar', event });
  }
  const charts = rankCharts(d.series.keys());
  assert.deepEqual(charts.map((c) => c.id), ['ranks-peak-reserved-gb', 'ranks-gpu-util']);
  assert.deepEqual(charts[0].lines.map((l) => l.name), ['rank0/peak_reserved_gb', 'rank1/peak_reserved_gb']);
  assert.deepEqual(charts[1].lines.map((l) => l.rank), [0, 1, 10], 'numeric order, not text order');
  assert.deepEqual(d.get('rank1/gpu_util').values, [64, 64], 'the series exist for the chart to read');
  assert.equal(charts[0].formatY?.(20.456), '20.5');
  assert.equal(charts[0].formatY?.(0.7712), '0.771');
});

test('CPU processes chart their memory and CPU time; a single-process run has no per-rank chart', () => {
  assert.deepEqual(rankCharts(['rank0/rss_gb', 'rank1/rss_gb', 'rank0/cpu_util', 'rank1/cpu_util', 'loss']).map((c) => c.title), ['Memory per process (GB)', 'CPU per process (% of one core)']);
  assert.deepEqual(rankCharts(['loss', 'peak_reserved_gb', 'gpu_util', 'rank0/unknown']), []);
  assert.equal(rankLabel(0, ['cuda:0 (NVIDIA GeForce RTX 4090)', 'cuda:1 (NVIDIA GeForce RTX 4090)']), 'rank 0 (cuda:0)');
  assert.equal(rankLabel(1, null), 'rank 1');
});
