/** The Hugging Face access token: kept in the context's SecretStore, never logged, never sent to the renderer. */
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import { perContext, type CoreContext } from '../context';
import { fileSecretStore, type SecretStore } from './secrets';

const TOKEN = 'hf-token';

/** The injected store (Electron: safeStorage), else a 0600 file under <dataDir>/secrets. */
export const secretsFor = perContext((ctx: CoreContext): SecretStore => ctx.secrets ?? fileSecretStore(path.join(ctx.paths.dataDir, 'secrets')));

/** The saved token, else HF_TOKEN from the environment (the Hub's own convention, as huggingface_hub reads it). */
export async function hubToken(ctx: CoreContext): Promise<string | null> {
  const saved = await secretsFor(ctx).get(TOKEN);
  return saved ?? (ctx.env.HF_TOKEN?.trim() || null);
}

export function checkToken(token: string): string {
  const t = token.trim();
  // Hub tokens are "hf_" + ~34 characters; accept any plausible opaque string but never echo it back.
  if (t.length < 8 || t.length > 512 || /\s/.test(t)) {
    throw new HoneError('BAD_REQUEST', 'That does not look like a Hugging Face access token.', 'Copy a read token from huggingface.co/settings/tokens (it starts with "hf_").');
  }
  return t;
}

export async function setHubToken(ctx: CoreContext, token: string | null): Promise<void> {
  await secretsFor(ctx).set(TOKEN, token === null || token.trim() === '' ? null : checkToken(token));
}
