import type { Fit } from '../../stores/catalog';

const METHOD = { qlora: 'QLoRA', lora: 'LoRA', full: 'full' } as const;

/** The planner's verdict for this model on the current hardware. */
export function FitBadge({ fit, testId }: { fit: Fit | undefined; testId: string }) {
  if (!fit) return <span className="badge" data-testid={testId} data-fits="unknown">checking fit…</span>;
  if (!fit.fits) return <span className="badge err" data-testid={testId} data-fits="no">{fit.device === 'cpu' ? 'needs an NVIDIA GPU' : 'too big for your GPU'}</span>;
  const label = fit.device === 'cpu' ? 'runs on your CPU' : `fits your GPU (${METHOD[fit.method]}, ${fit.estimatedGb.toFixed(1)} GB)`;
  return <span className="badge ok" data-testid={testId} data-fits="yes">{label}</span>;
}
