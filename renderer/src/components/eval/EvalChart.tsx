/** Base vs fine-tuned per metric (and both in Ollama, once measured there), as grouped bars on a 0–1 scale. */
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { MetricRow } from '../../../../electron/shared/eval-verdict';
import { useElementWidth } from '../charts/useElementWidth';

export const EVAL_COLORS = { base: '#868e96', tuned: '#3b5bdb', ollamaBase: '#c0c5ca', ollamaTuned: '#74c0fc' };

export function EvalChart({ rows, withOllama }: { rows: MetricRow[]; withOllama: boolean }) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const data = rows.map((r) => ({ metric: r.label, base: r.base, tuned: r.tuned, ollamaBase: r.ollamaBase ?? null, ollamaTuned: r.ollamaTuned ?? null }));
  return (
    <figure className="chart" data-testid="eval-chart" data-metrics={rows.map((r) => r.key).join(',')}>
      <figcaption>Quality on held-out rows (higher is better)</figcaption>
      <div ref={ref} style={{ width: '100%', height: 260 }}>
        <BarChart width={width} height={260} data={data} margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
          <XAxis dataKey="metric" tick={{ fontSize: 12 }} />
          <YAxis domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} width={40} tick={{ fontSize: 11 }} />
          <Tooltip isAnimationActive={false} formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} />
          <Legend verticalAlign="top" height={24} iconSize={10} />
          <Bar dataKey="base" name="Base" fill={EVAL_COLORS.base} isAnimationActive={false} />
          <Bar dataKey="tuned" name="Fine-tuned" fill={EVAL_COLORS.tuned} isAnimationActive={false} />
          {withOllama && <Bar dataKey="ollamaBase" name="Base in Ollama" fill={EVAL_COLORS.ollamaBase} isAnimationActive={false} />}
          {withOllama && <Bar dataKey="ollamaTuned" name="Fine-tuned in Ollama" fill={EVAL_COLORS.ollamaTuned} isAnimationActive={false} />}
        </BarChart>
      </div>
    </figure>
  );
}
