/**
 * One chart of one or more metric series against the training step. Animation is off (each update
 * would restart it) and every series is downsampled with LTTB to about one point per pixel of the
 * chart's width: recharts renders SVG, and its cost grows with points, not pixels.
 */
import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { lttb } from './lttb';
import { useElementWidth } from './useElementWidth';
import './charts.css';

export interface SeriesLike {
  readonly steps: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

export interface ChartLine {
  key: string;
  label: string;
  color: string;
  series: SeriesLike | undefined;
  dashed?: boolean;
}

export interface MetricChartProps {
  title: string;
  lines: ChartLine[];
  testId?: string;
  height?: number;
  /** Changes whenever the (mutable) series grew: the downsampling is recomputed then. */
  version?: number;
  /** Off only in the benchmark's baseline. */
  downsample?: boolean;
  /** A horizontal limit, e.g. the card's total memory. */
  limit?: { y: number; label: string } | null;
  formatY?: (v: number) => string;
}

const MARGIN = { top: 8, right: 16, bottom: 4, left: 4 };
const Y_AXIS_WIDTH = 56;

export const MetricChart = memo(function MetricChart(props: MetricChartProps) {
  const { title, lines, testId, height = 200, version = 0, downsample = true, limit = null, formatY } = props;
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const plotWidth = Math.max(50, width - Y_AXIS_WIDTH - MARGIN.left - MARGIN.right);

  const data = useMemo(
    () =>
      lines.map((l) => {
        const s = l.series;
        if (!s || s.steps.length === 0) return { ...l, points: [] as { x: number; y: number }[] };
        const points = downsample ? lttb(s.steps, s.values, plotWidth) : Array.from({ length: s.steps.length }, (_, i) => ({ x: s.steps[i], y: s.values[i] }));
        return { ...l, points };
      }),
    // `version` stands for the series' contents, which mutate in place.
    [lines, version, plotWidth, downsample],
  );
  const total = lines.reduce((n, l) => n + (l.series?.steps.length ?? 0), 0);
  const first = lines[0]?.series;
  const lastStep = first && first.steps.length ? first.steps[first.steps.length - 1] : 0;
  const empty = total === 0;

  return (
    <figure className="chart" data-testid={testId} data-points={lines[0]?.series?.steps.length ?? 0} data-last-step={lastStep}>
      <figcaption>{title}</figcaption>
      <div ref={ref} style={{ width: '100%', height }}>
        {empty ? (
          <div className="chart-empty muted">Waiting for the first values…</div>
        ) : (
          <LineChart width={width} height={height} margin={MARGIN}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
            <XAxis dataKey="x" type="number" domain={['dataMin', 'dataMax']} allowDuplicatedCategory={false} tick={{ fontSize: 11 }} />
            <YAxis width={Y_AXIS_WIDTH} domain={['auto', 'auto']} tick={{ fontSize: 11 }} tickFormatter={formatY ?? compact} />
            <Tooltip isAnimationActive={false} formatter={(v) => (typeof v === 'number' ? (formatY ?? compact)(v) : String(v))} labelFormatter={(x) => `step ${x}`} />
            {lines.length > 1 && <Legend verticalAlign="top" height={20} iconSize={10} />}
            {limit && <ReferenceLine y={limit.y} stroke="var(--err)" strokeDasharray="4 4" label={{ value: limit.label, fontSize: 11, position: 'insideTopRight' }} />}
            {data.map((l) => (
              <Line key={l.key} data={l.points} dataKey="y" name={l.label} stroke={l.color} strokeDasharray={l.dashed ? '5 4' : undefined}
                dot={l.points.length < 30 && l.dashed ? { r: 3 } : false} isAnimationActive={false} strokeWidth={1.5} connectNulls />
            ))}
          </LineChart>
        )}
      </div>
    </figure>
  );
});

export function compact(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return v.toFixed(2);
  if (a >= 0.01) return v.toFixed(3);
  // Learning rates: 2.00e-4 reads better than 0.0002 and keeps neighbouring ticks distinct.
  return v.toExponential(2);
}
