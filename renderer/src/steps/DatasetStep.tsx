import { StepPlaceholder } from '../components/StepPlaceholder';

export function DatasetStep() {
  return <StepPlaceholder title="Dataset" />;
}
