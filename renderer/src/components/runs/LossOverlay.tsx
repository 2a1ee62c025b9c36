/** Loss curves of several runs on one chart, from the stored (de-duplicated) metrics. */
import { useEffect, useState } from 'react';
import { bridge, errorText } from '../../bridge';
import { MetricChart, type ChartLine } from '../charts/MetricChart';
import type { RunSummary } from '../../../../electron/shared/types/runs';

const PALETTE = ['#3b5bdb', '#e8590c', '#2b8a3e', '#ae3ec9', '#1098ad', '#f59f00', '#c2255c', '#5c940d'];

export function LossOverlay({ runs }: { runs: RunSummary[] }) {
  const [lines, setLines] = useState<ChartLine[]>([]);
  const [error, setError] = useState<string | null>(null);
  const key = runs.map((r) => `${r.id}:${r.step}`).join(',');
  useEffect(() => {
    let cancelled = false;
    Promise.all(runs.map((r) => bridge.invoke('runs.metrics', { runId: r.id, names: ['loss'] }))).then(
      (all) => {
        if (cancelled) return;
        setLines(
          all.map((points, i) => ({
            key: runs[i].id,
            label: runs[i].name,
            color: PALETTE[i % PALETTE.length],
            series: { steps: points.map((p) => p.step), values: points.map((p) => p.value) },
          })),
        );
      },
      (e) => setError(errorText(e).message),
    );
    return () => {
      cancelled = true;
    };
  }, [key]);
  if (error) return <div className="banner error">{error}</div>;
  return <MetricChart title="Loss, compared" testId="chart-compare" lines={lines} height={280} version={lines.length} />;
}
