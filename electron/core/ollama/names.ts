/** Name checks where they guard the core: before hashing or uploading anything. */
import { HoneError } from '../../shared/errors';
import { checkModelName } from '../../shared/ollama-names';

export { checkModelName, withDefaultTag } from '../../shared/ollama-names';

export function assertModelName(name: string): void {
  const check = checkModelName(name);
  if (!check.ok) throw new HoneError('BAD_MODEL_NAME', `"${name}" is not a valid Ollama model name. ${check.reason}`, 'Names look like "my-model", "my-model:v2" or "me/my-model:latest".');
}
