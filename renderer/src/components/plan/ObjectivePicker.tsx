import type { Objective } from '../../../../electron/shared/types/plan';

const CHOICES: { id: Objective; title: string; detail: string }[] = [
  { id: 'sft', title: 'SFT', detail: 'Teach by example: conversations the model should learn to answer like.' },
  { id: 'dpo', title: 'DPO', detail: 'Align with preferences: pairs of a better and a worse answer.' },
];

export function ObjectivePicker({ value, onChange }: { value: Objective; onChange(o: Objective): void }) {
  return (
    <div className="row" role="radiogroup" aria-label="Training objective">
      {CHOICES.map((c) => (
        <label key={c.id} className="card" style={{ flex: 1, padding: 10, borderColor: value === c.id ? 'var(--accent)' : undefined }}>
          <input type="radio" name="objective" data-testid={`objective-${c.id}`} checked={value === c.id} onChange={() => onChange(c.id)} /> <strong>{c.title}</strong>
          <div className="muted" style={{ fontSize: 13 }}>{c.detail}</div>
        </label>
      ))}
    </div>
  );
}
