/**
 * The Hugging Face access token: kept in the context's SecretStore, never logged, never sent to the renderer.
 * Read in huggingface_hub's order (utils/_auth.py), with Hone's own saved token first: the saved one,
 * HF_TOKEN, HUGGING_FACE_HUB_TOKEN, then the file `hf auth login` writes (HF_TOKEN_PATH, default
 * <HF_HOME>/token, i.e. ~/.cache/huggingface/token), which Hone only reads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { TokenSource, TokenStatus } from '../../shared/types/model-storage';
import { perContext, type CoreContext } from '../context';
import { hfTokenPath } from './hf-cache';
import { fileSecretStore, type SecretStore } from './secrets';

const TOKEN = 'hf-token';

export type { TokenSource };

export interface TokenInUse {
  token: string;
  source: TokenSource;
  /** The token file's path, when that is the source. */
  path?: string;
}

/** The injected store (Electron: safeStorage), else a 0600 file under <dataDir>/secrets. */
export const secretsFor = perContext((ctx: CoreContext): SecretStore => ctx.secrets ?? fileSecretStore(path.join(ctx.paths.dataDir, 'secrets')));

/** huggingface_hub's _clean_token: no newlines, trimmed, empty means none. */
const clean = (t: string | null | undefined) => (t ?? '').replace(/[\r\n]/g, '').trim() || null;

export async function hubTokenInUse(ctx: CoreContext): Promise<TokenInUse | null> {
  const saved = clean(await secretsFor(ctx).get(TOKEN));
  if (saved) return { token: saved, source: 'saved' };
  const env = clean(ctx.env.HF_TOKEN);
  if (env) return { token: env, source: 'HF_TOKEN' };
  const legacy = clean(ctx.env.HUGGING_FACE_HUB_TOKEN);
  if (legacy) return { token: legacy, source: 'HUGGING_FACE_HUB_TOKEN' };
  const file = hfTokenPath(ctx.env);
  try {
    const t = clean(fs.readFileSync(file, 'utf8'));
    if (t) return { token: t, source: 'file', path: file };
  } catch {
    // not logged in with the hf CLI, or the file is unreadable: no token from there
  }
  return null;
}

/** The token in use, whichever source gave it. */
export async function hubToken(ctx: CoreContext): Promise<string | null> {
  return (await hubTokenInUse(ctx))?.token ?? null;
}

/** Where a token came from, in words for messages ("…rejected the access token (HF_TOKEN)"). */
export function tokenLabel(t: Pick<TokenInUse, 'source' | 'path'> | null): string | undefined {
  if (!t) return undefined;
  if (t.source === 'saved') return 'saved in Hone';
  if (t.source === 'file') return `from \`hf auth login\`, ${t.path}`;
  return `from ${t.source}`;
}

/** What the renderer may know: whether a token is in use, where from, and how a saved one is kept. Never the token. */
export async function tokenStatus(ctx: CoreContext): Promise<TokenStatus> {
  const t = await hubTokenInUse(ctx);
  return { hasToken: t !== null, storage: secretsFor(ctx).kind, source: t?.source ?? null, ...(t?.path ? { path: t.path } : {}) };
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
