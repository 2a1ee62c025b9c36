import { StepPlaceholder } from '../components/StepPlaceholder';

export function TrainStep() {
  return <StepPlaceholder title="Train" />;
}
