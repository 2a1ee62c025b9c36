/**
 * Measured speed (Hone's sidecar, and Ollama once measured there) and the cost of 1M generated tokens
 * here vs the hosted API the user names. Prices (and watts, where the power draw cannot be measured) are
 * kept in Settings.evalCost; the numbers come from the shared costComparison, as in the exported report.
 */
import { useEffect, useState } from 'react';
import { costComparison, DEFAULT_COSTS, money } from '../../../../electron/shared/eval-cost';
import type { CostSettings, EvalReport } from '../../../../electron/shared/types/eval';
import { useSettings } from '../../stores/settings';

const num = (v: number | null | undefined, d: number) => (v === null || v === undefined ? '—' : v.toFixed(d));

function NumberField({ label, value, testId, onCommit, suffix }: { label: string; value: number | null; testId: string; onCommit(v: number | null): void; suffix?: string }) {
  const [text, setText] = useState(value === null ? '' : String(value));
  useEffect(() => setText(value === null ? '' : String(value)), [value]);
  const commit = () => {
    const v = text.trim() === '' ? null : Number(text);
    onCommit(v !== null && Number.isFinite(v) && v > 0 ? v : null);
  };
  return (
    <label className="row">
      <span>{label}</span>
      <input type="number" min={0} step="any" style={{ width: 110 }} data-testid={testId} value={text} onChange={(e) => setText(e.target.value)} onBlur={commit} onKeyDown={(e) => e.key === 'Enter' && commit()} />
      {suffix && <span className="muted">{suffix}</span>}
    </label>
  );
}

export function EvalSpeedCost({ report }: { report: EvalReport }) {
  const { settings, save } = useSettings();
  const costs: CostSettings = { ...DEFAULT_COSTS, ...(settings?.evalCost ?? {}) };
  // Only the field that changed: the core merges it into the stored costs. Sending all of them from this render
  // would put back a field another edit had just saved (two fields committed in quick succession lost the first).
  const setCost = (patch: Partial<CostSettings>) => void save({ evalCost: patch });
  const c = costComparison(report, costs);
  const o = report.ollama;
  return (
    <div className="eval-two">
      <div>
        <h3>Speed</h3>
        <table data-testid="eval-speed">
          <thead>
            <tr>
              <th />
              <th>Base</th>
              <th>Fine-tuned</th>
              {o && <th>Base in Ollama</th>}
              {o && <th>Fine-tuned in Ollama</th>}
            </tr>
          </thead>
          <tbody>
            <tr>
              <th>Tokens / s</th>
              <td data-testid="eval-tps-base">{num(report.base.tokens_per_second, 1)}</td>
              <td data-testid="eval-tps-tuned">{num(report.tuned.tokens_per_second, 1)}</td>
              {o && <td>{num(o.base.tokens_per_second, 1)}</td>}
              {o && <td data-testid="eval-tps-ollama">{num(o.tuned.tokens_per_second, 1)}</td>}
            </tr>
            <tr>
              <th>Seconds / reply</th>
              <td>{num(report.base.latency_s, 2)}</td>
              <td>{num(report.tuned.latency_s, 2)}</td>
              {o && <td>{num(o.base.latency_s, 2)}</td>}
              {o && <td>{num(o.tuned.latency_s, 2)}</td>}
            </tr>
            <tr>
              <th>Reply / reference length</th>
              <td>{num(report.base.length_ratio, 2)}</td>
              <td>{num(report.tuned.length_ratio, 2)}</td>
              {o && <td>{num(o.base.length_ratio, 2)}</td>}
              {o && <td>{num(o.tuned.length_ratio, 2)}</td>}
            </tr>
          </tbody>
        </table>
        <p className="muted">
          {report.device}, greedy, one stream, at most {report.settings.max_new_tokens} new tokens a reply.
          {report.power?.watts ? ` GPU drew ${report.power.watts} W while Hone generated.` : ''}
          {o ? ` Ollama ${o.version ?? ''}: ${o.models.base} vs ${o.models.tuned}.` : ''}
        </p>
      </div>
      <div data-testid="eval-cost">
        <h3>Cost per 1M generated tokens</h3>
        <div className="eval-form">
          <NumberField label="Hosted API price" value={costs.hostedPricePer1M} testId="eval-cost-hosted" onCommit={(v) => setCost({ hostedPricePer1M: v })} suffix="per 1M tokens" />
          <NumberField label="Electricity" value={costs.pricePerKwh} testId="eval-cost-kwh" onCommit={(v) => setCost({ pricePerKwh: v })} suffix="per kWh" />
          <label className="row">
            <span>Currency</span>
            <input style={{ width: 70 }} data-testid="eval-cost-currency" defaultValue={costs.currency} onBlur={(e) => setCost({ currency: e.target.value.trim() || 'USD' })} />
          </label>
          {c.wattsFrom !== 'measured' && <NumberField label="Power draw" value={costs.watts} testId="eval-cost-watts" onCommit={(v) => setCost({ watts: v })} suffix="W (not measured here: enter it)" />}
        </div>
        <table>
          <tbody>
            <tr>
              <th>Speed used</th>
              <td>{c.tokensPerSecond !== null ? `${c.tokensPerSecond.toFixed(1)} tokens/s (${c.speedFrom === 'ollama' ? 'fine-tuned, in Ollama' : 'fine-tuned, in Hone'})` : '—'}</td>
            </tr>
            <tr>
              <th>Power</th>
              <td data-testid="eval-power">{c.watts !== null ? `${c.watts} W (${c.wattsFrom})` : c.powerNote}</td>
            </tr>
            <tr>
              <th>Here</th>
              <td data-testid="eval-cost-local" data-value={c.localPer1M ?? ''}>
                {money(c.localPer1M, c.currency)}
                {c.kwhPer1M !== null && <span className="muted"> ({c.kwhPer1M.toFixed(3)} kWh)</span>}
              </td>
            </tr>
            <tr>
              <th>Hosted API</th>
              <td>{money(c.hostedPer1M, c.currency)}</td>
            </tr>
          </tbody>
        </table>
        {c.missing.length > 0 && <p className="muted">Enter {c.missing.filter((m) => m !== 'a measured speed').join(', ')} to compare.</p>}
      </div>
    </div>
  );
}
