import type { Plan } from '../../../../electron/shared/types/plan';
import { MemoryBar } from './MemoryBar';
import { ReasonList } from './ReasonList';
import { strategyText } from './PlanTable';

const METHOD = { qlora: 'QLoRA (4-bit)', lora: 'LoRA (16-bit)', full: 'Full fine-tuning' } as const;
const CPU_METHOD = { qlora: 'QLoRA', lora: 'LoRA on the CPU', full: 'Full fine-tuning on the CPU' } as const;

/** The chosen model's recommended plan, in short, on the Model step. */
export function PlanPreview({ plan, busy, onAdjust }: { plan: Plan | null; busy: boolean; onAdjust(): void }) {
  if (!plan) return <section className="card muted">{busy ? 'Planning…' : ''}</section>;
  return (
    <section className="card" data-testid="model-plan-preview" data-fits={plan.fits ? 'yes' : 'no'} aria-busy={busy}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 style={{ margin: 0 }}>
          How it would train: <span data-testid="plan-method" data-method={plan.method}>{(plan.device === 'cpu' ? CPU_METHOD : METHOD)[plan.method]}</span>
        </h2>
        <span className={`badge ${plan.fits ? 'ok' : 'err'}`} data-testid="plan-fits">
          {plan.fits ? (plan.device === 'cpu' ? 'Runs on your CPU' : 'Fits your GPU') : 'Does not fit'}
        </span>
      </div>
      <p className="muted" style={{ margin: '6px 0' }}>
        {plan.max_seq_length} tokens per row, batch {plan.batch_size} × {plan.grad_accum}
        {plan.method !== 'full' ? `, LoRA rank ${plan.lora_rank}` : ''}.
      </p>
      {plan.distributed && (
        <p data-testid="plan-strategy" data-strategy={plan.distributed.strategy} style={{ margin: '6px 0' }}>
          <strong>{strategyText(plan)}</strong>
        </p>
      )}
      <MemoryBar plan={plan} cardGb={null} />
      <ReasonList plan={plan} />
      <button type="button" data-testid="model-adjust-plan" style={{ marginTop: 8 }} onClick={onAdjust}>
        Objective, reasons and settings…
      </button>
    </section>
  );
}
