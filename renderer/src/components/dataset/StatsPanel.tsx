/** Rows and token statistics, and the histogram of row lengths against the max sequence length. */
import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { DatasetReport } from '../../../../electron/shared/types/dataset';
import { useElementWidth } from '../charts/useElementWidth';

interface Props {
  report: DatasetReport;
  maxSeqLength: number;
  onMaxSeqLength(n: number): void;
}

const n = (x: number) => x.toLocaleString();

export function StatsPanel({ report, maxSeqLength, onMaxSeqLength }: Props) {
  const s = report.stats;
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const data = s.histogram.map((b) => ({ upTo: b.upTo, count: b.count, over: b.upTo > maxSeqLength }));
  const width0 = s.histogram[0]?.upTo ?? 1;
  return (
    <section className="card" data-testid="dataset-stats">
      <h2>Statistics</h2>
      <div className="ds-stats">
        <div>
          <div className="muted">Rows</div>
          <strong data-testid="dataset-stat-rows">{n(report.goodRows)}</strong>
          {report.badRows > 0 && <div className="error-box">{n(report.badRows)} with errors</div>}
        </div>
        <div>
          <div className="muted">Tokens</div>
          <strong data-testid="dataset-stat-tokens">{n(s.totalTokens)}</strong>
        </div>
        <div>
          <div className="muted">Mean / p95 / max</div>
          <strong data-testid="dataset-stat-lengths">
            {n(s.meanTokens)} / {n(s.p95Tokens)} / {n(s.maxTokens)}
          </strong>
        </div>
        <div>
          <div className="muted">Will be truncated</div>
          <strong data-testid="dataset-stat-truncated" className={s.truncated ? 'error-box' : ''}>
            {n(s.truncated)}
          </strong>
        </div>
      </div>
      <p className="muted" style={{ fontSize: 13 }}>
        Counted with {s.tokenCounter === 'tokenizer' ? "the model's own tokenizer" : 'an estimate (about 3.5 characters a token for English; download the model or use a local folder for exact counts)'}, on each row as the chat template renders it.
      </p>
      <label className="row" style={{ gap: 6 }}>
        <span>Max sequence length</span>
        <input type="number" data-testid="dataset-max-seq" min={64} step={64} value={maxSeqLength} style={{ width: 100 }} onChange={(e) => Number(e.target.value) > 0 && onMaxSeqLength(Number(e.target.value))} />
        <span className="muted">tokens (the planner uses these lengths too: short rows mean a cheaper plan)</span>
      </label>
      <div ref={ref} data-testid="dataset-histogram" style={{ marginTop: 8 }}>
        {width > 0 && data.length > 0 && (
          <BarChart width={width} height={220} data={data} margin={{ top: 22, right: 24, bottom: 4, left: 4 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="upTo" tickFormatter={(v: number) => `≤${n(v)}`} fontSize={11} />
            <YAxis allowDecimals={false} fontSize={11} width={48} />
            <Tooltip formatter={(v) => [`${n(Number(v))} rows`, 'count']} labelFormatter={(v) => `${n(Math.max(0, Number(v) - width0) + 1)}–${n(Number(v))} tokens`} isAnimationActive={false} />
            <Bar dataKey="count" isAnimationActive={false}>
              {data.map((d) => (
                <Cell key={d.upTo} fill={d.over ? 'var(--err)' : 'var(--accent)'} />
              ))}
            </Bar>
            <ReferenceLine x={data.find((d) => d.upTo >= maxSeqLength)?.upTo} stroke="var(--err)" strokeDasharray="4 2" label={{ value: `max length ${n(maxSeqLength)}`, position: 'insideTopRight', offset: -16, fontSize: 11, fill: 'var(--err)' }} />
          </BarChart>
        )}
      </div>
    </section>
  );
}
