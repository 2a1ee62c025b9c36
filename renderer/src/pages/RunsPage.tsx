import { StepPlaceholder } from '../components/StepPlaceholder';

export function RunsPage() {
  return <StepPlaceholder title="Runs" />;
}
