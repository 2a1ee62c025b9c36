import type { Plan } from '../../../../electron/shared/types/plan';
import { gb } from '../hardware/format';

const PARTS = [
  { key: 'weightsGb', label: 'Weights', color: 'var(--weights)' },
  { key: 'trainableGb', label: 'Adapter + optimiser', color: 'var(--trainable)' },
  { key: 'activationsGb', label: 'Activations', color: 'var(--activations)' },
  { key: 'overheadGb', label: 'Runtime overhead', color: 'var(--overhead)' },
] as const;

/**
 * The estimate, part by part, against the card: `cardGb` is the whole card (what other programs hold is
 * drawn hatched), the plan's budget is what is free, and its last `margin_gb` is the safety margin no plan
 * may use (drawn dashed at the end of the free part).
 */
export function MemoryBar({ plan, cardGb }: { plan: Plan; cardGb: number | null }) {
  const card = Math.max(cardGb ?? plan.vram_budget_gb, plan.vram_budget_gb);
  const scale = Math.max(card, plan.estimated_vram_gb);
  const pct = (v: number) => `${(100 * v) / scale}%`;
  const others = card - plan.vram_budget_gb;
  const margin = plan.margin_gb ?? 0;
  const usable = plan.vram_budget_gb - margin;
  const marginShown = Math.max(0, Math.min(margin, plan.vram_budget_gb - plan.estimated_vram_gb));
  const free = Math.max(0, usable - plan.estimated_vram_gb);
  const over = plan.estimated_vram_gb - usable;
  return (
    <div data-testid="plan-memory-bar" data-over={over > 0.005 ? 'yes' : 'no'}>
      <div className="bar" style={{ height: 22, outline: over > 0.005 ? '2px solid var(--err)' : undefined }}>
        {others > 0.05 && <span title={`Held by other programs: ${gb(others)}`} style={{ width: pct(others), background: 'repeating-linear-gradient(45deg, var(--border), var(--border) 4px, var(--panel) 4px, var(--panel) 8px)' }} />}
        {PARTS.map((p) => (
          <span key={p.key} data-testid={`memory-${p.key}`} title={`${p.label}: ${gb(plan.breakdown[p.key])}`} style={{ width: pct(plan.breakdown[p.key]), background: p.color }} />
        ))}
        {free > 0 && <span title={`Free: ${gb(free)}`} style={{ width: pct(free), background: 'transparent' }} />}
        {marginShown > 0 && <span data-testid="memory-margin" title={`Safety margin, kept free: ${gb(margin)}`} style={{ width: pct(marginShown), boxSizing: 'border-box', border: '1px dashed var(--muted)', background: 'transparent' }} />}
      </div>
      <div className="row muted" style={{ fontSize: 13, marginTop: 6 }}>
        {PARTS.map((p) => (
          <span key={p.key}>
            <span style={{ display: 'inline-block', width: 10, height: 10, background: p.color, borderRadius: 2, marginRight: 4 }} />
            {p.label} {gb(plan.breakdown[p.key])}
          </span>
        ))}
        {others > 0.05 && <span>· other programs {gb(others)}</span>}
      </div>
      <p style={{ margin: '6px 0 0' }}>
        <strong>{gb(plan.estimated_vram_gb)}</strong> estimated of <strong>{gb(plan.vram_budget_gb)}</strong> {plan.device === 'cpu' ? 'free RAM' : 'free VRAM'}
        {over > 0.005 ? (
          <span className="error-box"> — {gb(over)} more than a plan may use{margin > 0 ? ` (a ${gb(margin)} safety margin stays free)` : ''}</span>
        ) : (
          <span className="muted"> — {gb(plan.headroom_gb)} headroom{margin > 0 ? `, of which ${gb(margin)} is the safety margin kept free` : ''}</span>
        )}
      </p>
    </div>
  );
}
