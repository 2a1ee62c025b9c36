import { StepPlaceholder } from '../components/StepPlaceholder';

export function ExportStep() {
  return <StepPlaceholder title="Export" />;
}
