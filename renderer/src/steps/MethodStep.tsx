import { StepPlaceholder } from '../components/StepPlaceholder';

export function MethodStep() {
  return <StepPlaceholder title="Method" />;
}
