import type { PlanOverrides, TrainingMethod } from '../../../../electron/shared/types/plan';

type NumKey = 'maxSeqLength' | 'batchSize' | 'gradAccum' | 'loraRank' | 'processes';
const NUMBERS: { key: NumKey; label: string; testId: string }[] = [
  { key: 'maxSeqLength', label: 'Max sequence length', testId: 'advanced-seq' },
  { key: 'batchSize', label: 'Batch size', testId: 'advanced-batch' },
  { key: 'gradAccum', label: 'Gradient accumulation', testId: 'advanced-accum' },
  { key: 'loraRank', label: 'LoRA rank', testId: 'advanced-rank' },
  // Several processes (issue #15): on a machine without an NVIDIA GPU, CPU processes (DDP over gloo); with GPUs,
  // the first N cards (several cards are better picked on the Hardware step).
  { key: 'processes', label: 'Training processes', testId: 'advanced-processes' },
];

/** Overrides of the recommended plan; blank means "let the planner choose". Each change re-plans. */
export function AdvancedPanel({ overrides, onChange }: { overrides: PlanOverrides; onChange(o: PlanOverrides): void }) {
  const set = (patch: PlanOverrides) => {
    const next: PlanOverrides = { ...overrides, ...patch };
    for (const k of Object.keys(next) as (keyof PlanOverrides)[]) if (next[k] === undefined) delete next[k];
    onChange(next);
  };
  const setNumber = (key: NumKey, raw: string) => {
    const n = Number(raw);
    set({ [key]: raw.trim() === '' || !Number.isInteger(n) || n < 1 ? undefined : n });
  };
  return (
    <details className="card" data-testid="plan-advanced">
      <summary>Advanced: change the plan</summary>
      <div style={{ display: 'grid', gridTemplateColumns: '200px 160px', gap: 8, marginTop: 12, alignItems: 'center' }}>
        <label htmlFor="advanced-method">Method</label>
        <select id="advanced-method" data-testid="advanced-method" value={overrides.method ?? ''} onChange={(e) => set({ method: (e.target.value || undefined) as TrainingMethod | undefined })}>
          <option value="">Recommended</option>
          <option value="qlora">QLoRA (4-bit)</option>
          <option value="lora">LoRA (16-bit)</option>
          <option value="full">Full fine-tuning</option>
        </select>
        {NUMBERS.map((f) => (
          <NumberField key={f.key} label={f.label} testId={f.testId} value={overrides[f.key]} onChange={(raw) => setNumber(f.key, raw)} />
        ))}
        <label htmlFor="advanced-gc">Gradient checkpointing</label>
        <input id="advanced-gc" type="checkbox" data-testid="advanced-gc" checked={overrides.gradientCheckpointing ?? true} onChange={(e) => set({ gradientCheckpointing: e.target.checked ? undefined : false })} />
      </div>
      <button type="button" data-testid="advanced-reset" style={{ marginTop: 12 }} disabled={!Object.keys(overrides).length} onClick={() => onChange({})}>
        Back to the recommended plan
      </button>
    </details>
  );
}

function NumberField({ label, testId, value, onChange }: { label: string; testId: string; value: number | undefined; onChange(raw: string): void }) {
  return (
    <>
      <label htmlFor={testId}>{label}</label>
      <input id={testId} type="number" min={1} data-testid={testId} placeholder="auto" value={value ?? ''} onChange={(e) => onChange(e.target.value)} />
    </>
  );
}
