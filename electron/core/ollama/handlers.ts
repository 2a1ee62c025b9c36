import { HoneError } from '../../shared/errors';
import type { RequestHandlers } from '../../shared/contract';
import type { CoreContext } from '../context';

type OllamaChannels = 'ollama.status' | 'ollama.list' | 'ollama.send' | 'ollama.chat' | 'ollama.chatStop';

// STUB: replaced by the Send to Ollama work (issue 6).
export function createOllamaHandlers(_ctx: CoreContext): Pick<RequestHandlers, OllamaChannels> {
  const todo = async (): Promise<never> => {
    throw new HoneError('INTERNAL', 'not implemented yet');
  };
  return { 'ollama.status': todo, 'ollama.list': todo, 'ollama.send': todo, 'ollama.chat': todo, 'ollama.chatStop': todo };
}
