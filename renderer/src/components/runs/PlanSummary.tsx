import type { Plan } from '../../../../electron/shared/types/plan';

/** The plan a run will use, compactly, with the planner's reasons one click away. */
export function PlanSummary({ plan }: { plan: Plan }) {
  const items: [string, string][] = [
    ...(plan.distributed ? [['Processes', `${plan.distributed.processes * Math.max(1, plan.distributed.nodes)}: ${plan.distributed.strategy.toUpperCase()}${plan.distributed.gpu_indices.length ? ` on GPUs ${plan.distributed.gpu_indices.join(', ')}` : plan.device === 'cpu' ? ' on the CPU (gloo)' : ''}`] as [string, string]] : []),
    ['Method', `${plan.method.toUpperCase()}${plan.load_in_4bit ? ' (4-bit)' : ''} · ${plan.objective.toUpperCase()}`],
    ['Sequence length', String(plan.max_seq_length)],
    ['Batch', `${plan.batch_size} × ${plan.grad_accum} accumulation = ${plan.effective_batch}`],
    ['LoRA', plan.method === 'full' ? '—' : `rank ${plan.lora_rank}, alpha ${plan.lora_alpha}`],
    ['Learning rate', String(plan.learning_rate)],
    ['Gradient checkpointing', plan.gradient_checkpointing ? 'on' : 'off'],
    ['Estimated memory', plan.device === 'cpu' ? `${plan.estimated_vram_gb < 0.1 ? plan.estimated_vram_gb.toFixed(2) : plan.estimated_vram_gb.toFixed(1)} GB (CPU)` : `${plan.estimated_vram_gb.toFixed(1)} GB of ${plan.vram_budget_gb.toFixed(1)} GB`],
  ];
  return (
    <div data-testid="train-plan">
      <table>
        <tbody>
          {items.map(([k, v]) => (
            <tr key={k}>
              <th style={{ width: 200 }}>{k}</th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {plan.reasons.length > 0 && (
        <details>
          <summary className="muted">Why these settings</summary>
          <ul>
            {plan.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
