import { StepPlaceholder } from '../components/StepPlaceholder';

export function WelcomePage() {
  return <StepPlaceholder title="Welcome" />;
}
