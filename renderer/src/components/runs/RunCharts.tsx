/**
 * The live dashboard's charts: loss with eval loss, learning rate, grad norm, tokens/s, GPU memory
 * against the card's total, and DPO's rewards when the run is DPO. A chart appears once its metric does.
 */
import { useMemo } from 'react';
import { MetricChart, type ChartLine } from '../charts/MetricChart';
import type { RunData } from './run-data';

const C = { a: '#3b5bdb', b: '#e8590c', c: '#2b8a3e', d: '#ae3ec9', e: '#1098ad' };

export function RunCharts({ data, version, objective, gpuTotalGb }: { data: RunData; version: number; objective: 'sft' | 'dpo'; gpuTotalGb: number | null }) {
  const s = (name: string) => data.series.get(name);
  const names = [...data.series.keys()].join(',');
  const charts = useMemo(() => {
    const list: { id: string; title: string; lines: ChartLine[]; limit?: { y: number; label: string } | null; formatY?: (v: number) => string }[] = [
      { id: 'loss', title: 'Loss', lines: [{ key: 'loss', label: 'train loss', color: C.a, series: s('loss') }, { key: 'eval_loss', label: 'eval loss', color: C.b, series: s('eval_loss'), dashed: true }] },
      { id: 'lr', title: 'Learning rate', lines: [{ key: 'learning_rate', label: 'learning rate', color: C.c, series: s('learning_rate') }] },
      { id: 'grad-norm', title: 'Grad norm', lines: [{ key: 'grad_norm', label: 'grad norm', color: C.d, series: s('grad_norm') }] },
      { id: 'tokens', title: 'Tokens / s', lines: [{ key: 'tokens_per_second', label: 'tokens/s', color: C.e, series: s('tokens_per_second') }] },
    ];
    if (s('peak_reserved_gb') || s('gpu_mem_reserved_gb') || s('gpu_mem_allocated_gb')) {
      // Peaks per logging interval when the sidecar reports them (the step's real high-water mark);
      // older runs only have the memory left after the optimiser step.
      const peaks = !!s('peak_reserved_gb');
      list.push({
        id: 'gpu-mem',
        title: peaks ? 'GPU memory, peak per interval (GB)' : 'GPU memory (GB)',
        lines: peaks
          ? [
              { key: 'peak_reserved_gb', label: 'peak reserved', color: C.a, series: s('peak_reserved_gb') },
              { key: 'peak_allocated_gb', label: 'peak allocated', color: C.c, series: s('peak_allocated_gb'), dashed: true },
            ]
          : [
              { key: 'gpu_mem_reserved_gb', label: 'reserved', color: C.a, series: s('gpu_mem_reserved_gb') },
              { key: 'gpu_mem_allocated_gb', label: 'allocated', color: C.c, series: s('gpu_mem_allocated_gb'), dashed: true },
            ],
        limit: gpuTotalGb ? { y: gpuTotalGb, label: `card ${gpuTotalGb.toFixed(0)} GB` } : null,
        formatY: (v) => v.toFixed(1),
      });
    }
    if (s('gpu_util')) list.push({ id: 'gpu-util', title: 'GPU utilisation (%)', lines: [{ key: 'gpu_util', label: 'utilisation', color: C.d, series: s('gpu_util') }] });
    if (objective === 'dpo') {
      list.push({
        id: 'rewards',
        title: 'DPO rewards',
        lines: [
          { key: 'rewards/chosen', label: 'chosen', color: C.c, series: s('rewards/chosen') },
          { key: 'rewards/rejected', label: 'rejected', color: C.b, series: s('rewards/rejected') },
          { key: 'rewards/margins', label: 'margin', color: C.a, series: s('rewards/margins') },
        ],
      });
      list.push({ id: 'reward-acc', title: 'DPO reward accuracy', lines: [{ key: 'rewards/accuracies', label: 'accuracy', color: C.e, series: s('rewards/accuracies') }] });
    }
    return list.filter((c) => c.id === 'loss' || c.lines.some((l) => l.series));
    // New series appear as their names do; the series themselves grow in place (tracked by version).
  }, [data, names, objective, gpuTotalGb]);
  return (
    <div className="chart-grid">
      {charts.map((c) => (
        <MetricChart key={c.id} testId={`chart-${c.id}`} title={c.title} lines={c.lines} version={version} limit={c.limit} formatY={c.formatY} />
      ))}
    </div>
  );
}
