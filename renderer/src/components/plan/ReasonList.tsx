import type { Plan } from '../../../../electron/shared/types/plan';

/** The reasons not already beside a setting: the budget, notes about the card, the estimate, what would fit. */
export function ReasonList({ plan }: { plan: Plan }) {
  const beside = Object.values(plan.why ?? {}).join('\n');
  const general = plan.reasons.filter((r) => !beside.includes(r));
  return (
    <ul data-testid="plan-reasons" style={{ margin: '8px 0 0', paddingLeft: 20 }}>
      {general.map((r, i) => (
        <li key={i}>{r}</li>
      ))}
    </ul>
  );
}
