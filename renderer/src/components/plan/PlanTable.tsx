import type { Plan, PlanChoice } from '../../../../electron/shared/types/plan';

const METHOD = { qlora: 'QLoRA (4-bit weights)', lora: 'LoRA (16-bit weights)', full: 'Full fine-tuning' } as const;
const CPU_METHOD = { qlora: 'QLoRA', lora: 'LoRA (fp32 on the CPU)', full: 'Full fine-tuning (fp32 on the CPU)' } as const;

/** "DDP over 2 GPUs (0, 1)", "FSDP over 4 GPUs, shards in host RAM", "DDP over 2 CPU processes (gloo)". */
export function strategyText(plan: Plan): string | null {
  const d = plan.distributed;
  if (!d) return null;
  const where = d.gpu_indices.length ? `${d.gpu_indices.length} GPUs (${d.gpu_indices.join(', ')})` : plan.device === 'cpu' ? `${d.processes} CPU processes (gloo)` : `${d.processes} GPUs`;
  const nodes = d.nodes > 1 ? ` on each of ${d.nodes} machines` : '';
  const offload = d.fsdp?.offload_params ? ', shards in host RAM' : '';
  return `${d.strategy.toUpperCase()} over ${where}${nodes}${offload}`;
}

function rows(plan: Plan): [PlanChoice, string, string][] {
  const strategy = strategyText(plan);
  return [
    ...(strategy ? [['strategy', 'Strategy', strategy] as [PlanChoice, string, string]] : []),
    ['method', 'Method', (plan.device === 'cpu' ? CPU_METHOD : METHOD)[plan.method]],
    ['max_seq_length', 'Max sequence length', `${plan.max_seq_length} tokens`],
    ['batch', 'Batch', `${plan.batch_size} × ${plan.grad_accum} accumulation = ${plan.effective_batch}`],
    ['lora', 'LoRA', plan.method === 'full' ? '—' : `rank ${plan.lora_rank}, alpha ${plan.lora_alpha}, dropout ${plan.lora_dropout}`],
    ['gradient_checkpointing', 'Gradient checkpointing', plan.gradient_checkpointing ? 'on' : 'off'],
    ['optimizer', 'Optimiser', `${plan.optimizer}, learning rate ${plan.learning_rate.toExponential()}`],
    // A CPU plan says how long it takes here (FLOPs per token x tokens / this machine's speed), and why.
    ...(plan.device === 'cpu' ? [['eta', 'Time on this CPU', plan.eta ? `about ${duration(plan.eta.seconds)}` : 'after choosing data'] as [PlanChoice, string, string]] : []),
  ];
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Each choice of the plan with the reason for it. */
export function PlanTable({ plan }: { plan: Plan }) {
  return (
    <table data-testid="plan-table">
      <tbody>
        {rows(plan).map(([key, label, value]) => (
          <tr key={key} data-testid={`plan-row-${key}`}>
            <th style={{ width: 170 }}>{label}</th>
            <td style={{ width: 230 }} data-testid={key === 'method' ? 'plan-method' : key === 'eta' ? 'plan-eta' : undefined} data-method={key === 'method' ? plan.method : undefined}>
              <strong>{value}</strong>
            </td>
            <td className="muted">{plan.why?.[key] ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
