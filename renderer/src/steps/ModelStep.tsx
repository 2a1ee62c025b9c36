import { StepPlaceholder } from '../components/StepPlaceholder';

export function ModelStep() {
  return <StepPlaceholder title="Model" />;
}
