import type { ComponentType } from 'react';
import { STEPS, STEP_TITLES, useWizard, type StepId } from '../stores/wizard';
import { HardwareStep } from '../steps/HardwareStep';
import { ModelStep } from '../steps/ModelStep';
import { DatasetStep } from '../steps/DatasetStep';
import { MethodStep } from '../steps/MethodStep';
import { TrainStep } from '../steps/TrainStep';
import { ExportStep } from '../steps/ExportStep';

const STEP_COMPONENTS: Record<StepId, ComponentType> = {
  hardware: HardwareStep,
  model: ModelStep,
  dataset: DatasetStep,
  method: MethodStep,
  train: TrainStep,
  export: ExportStep,
};

export function Wizard() {
  const step = useWizard((s) => s.step);
  const goTo = useWizard((s) => s.goTo);
  const Current = STEP_COMPONENTS[step];
  const current = STEPS.indexOf(step);
  return (
    <div className="wizard">
      <ol className="stepper" aria-label="Wizard steps">
        {STEPS.map((id, i) => (
          <li key={id} className={i === current ? 'active' : i < current ? 'done' : ''}>
            <button type="button" data-testid={`stepper-${id}`} disabled={i > current} onClick={() => goTo(id)}>
              <span className="num">{i + 1}</span> {STEP_TITLES[id]}
            </button>
          </li>
        ))}
      </ol>
      <main className="step" data-testid={`step-${step}`}>
        <Current />
      </main>
    </div>
  );
}
