import { StepPlaceholder } from '../components/StepPlaceholder';

export function HardwareStep() {
  return <StepPlaceholder title="Hardware" />;
}
