import { StepPlaceholder } from '../components/StepPlaceholder';

export function ChatPage() {
  return <StepPlaceholder title="Chat" />;
}
