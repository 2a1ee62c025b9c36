import { StepPlaceholder } from '../components/StepPlaceholder';

export function SettingsPage() {
  return <StepPlaceholder title="Settings" />;
}
