/**
 * The wizard's shared state: what the user has chosen so far. Each step reads what it needs and sets
 * what it decides; data fetched from the core lives in the domain stores beside this one.
 */
import { create } from 'zustand';
import type { Hardware } from '../../../electron/shared/types/hardware';
import type { ModelSpec } from '../../../electron/shared/types/model';
import type { Objective, Plan, PlanOverrides } from '../../../electron/shared/types/plan';
import type { DatasetReport, ImportedDataset } from '../../../electron/shared/types/dataset';

export const STEPS = ['hardware', 'model', 'dataset', 'method', 'train', 'export'] as const;
export type StepId = (typeof STEPS)[number];
export type View = 'welcome' | 'wizard' | 'runs' | 'chat' | 'settings';

export const STEP_TITLES: Record<StepId, string> = {
  hardware: 'Hardware',
  model: 'Model',
  dataset: 'Dataset',
  method: 'Method',
  train: 'Train',
  export: 'Export',
};

export interface DatasetChoice {
  path: string;
  report: DatasetReport | null;
  imported: ImportedDataset | null;
}

interface WizardState {
  view: View;
  step: StepId;
  hardware: Hardware | null;
  model: ModelSpec | null;
  dataset: DatasetChoice | null;
  objective: Objective;
  overrides: PlanOverrides;
  plan: Plan | null;
  runId: string | null;
  /** Model to open in the chat view. */
  chatModel: string | null;
  setView(view: View): void;
  goTo(step: StepId): void;
  next(): void;
  back(): void;
  patch(p: Partial<Pick<WizardState, 'hardware' | 'model' | 'dataset' | 'objective' | 'overrides' | 'plan' | 'runId' | 'chatModel'>>): void;
}

export const useWizard = create<WizardState>((set, get) => ({
  view: 'wizard',
  step: 'hardware',
  hardware: null,
  model: null,
  dataset: null,
  objective: 'sft',
  overrides: {},
  plan: null,
  runId: null,
  chatModel: null,
  setView: (view) => set({ view }),
  goTo: (step) => set({ step, view: 'wizard' }),
  next: () => {
    const i = STEPS.indexOf(get().step);
    if (i < STEPS.length - 1) set({ step: STEPS[i + 1] });
  },
  back: () => {
    const i = STEPS.indexOf(get().step);
    if (i > 0) set({ step: STEPS[i - 1] });
  },
  patch: (p) => set(p),
}));
