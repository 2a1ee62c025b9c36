/**
 * Where the GGUF file of an Ollama model lies on this computer.
 *
 * Ollama has no API that returns a blob, but /api/show's Modelfile starts with `FROM <path>`: the model layer's
 * blob as the SERVER sees it (…/blobs/sha256-<hex>), whatever OLLAMA_MODELS the server was started with. That
 * path is read first. When it is not on this disk (Ollama in a container with its models folder mounted
 * elsewhere, or a server started by another user), the same blob name is looked for in the models folders
 * Ollama uses by default and in OLLAMA_MODELS. The digest in the name is checked while the file is copied.
 * ADAPTER lines mean the model is a base plus a LoRA adapter: its model layer is the base alone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import { blobExists } from '../ollama/blobs';
import { toOllamaError } from '../ollama/errors';

export interface ModelLayer {
  /** sha256:<hex> */
  digest: string;
  /** The path the server reported. */
  serverPath: string;
  /** Where Hone reads it. */
  localPath: string;
  size: number;
}

export interface ModelfileFacts {
  from: string | null;
  adapters: string[];
}

/** FROM and ADAPTER lines of an `ollama show` Modelfile (comments and quoted blocks skipped). */
export function modelfileFacts(modelfile: string): ModelfileFacts {
  let from: string | null = null;
  const adapters: string[] = [];
  let inQuote = false;
  for (const line of modelfile.split('\n')) {
    const quotes = (line.match(/"""/g) ?? []).length;
    if (!inQuote) {
      const m = /^(FROM|ADAPTER)\s+(.+?)\s*$/.exec(line);
      if (m && m[1] === 'FROM' && from === null) from = m[2].replace(/^"(.*)"$/, '$1');
      else if (m && m[1] === 'ADAPTER') adapters.push(m[2].replace(/^"(.*)"$/, '$1'));
    }
    if (quotes % 2 === 1) inQuote = !inQuote;
  }
  return { from, adapters };
}

export function digestOfBlobPath(p: string): string | null {
  const m = /sha256[-:]([0-9a-f]{64})$/.exec(path.basename(p));
  return m ? `sha256:${m[1]}` : null;
}

/** Models folders Ollama uses: OLLAMA_MODELS, the user's, and the Linux service's (install.sh runs it as user `ollama`). */
export function ollamaModelsDirs(env: NodeJS.ProcessEnv = process.env, home = env.HOME || env.USERPROFILE || os.homedir()): string[] {
  const dirs = [env.OLLAMA_MODELS, path.join(home, '.ollama', 'models')];
  if (process.platform === 'linux') dirs.push('/usr/share/ollama/.ollama/models', '/var/lib/ollama/.ollama/models');
  return [...new Set(dirs.filter((d): d is string => !!d))];
}

function fileSize(p: string): number | null {
  try {
    const st = fs.statSync(p);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

function readable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

async function showModelfile(baseUrl: string, model: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/api/show`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ model }) });
  } catch (err) {
    throw toOllamaError(err, baseUrl, `reading ${model}`);
  }
  const body = (await res.json().catch(() => ({}))) as { modelfile?: string; error?: string };
  if (res.status === 404) throw new HoneError('MODEL_NOT_FOUND', `Ollama has no model named ${model}.`, 'Send the run to Ollama again, then export.');
  if (!res.ok || typeof body.modelfile !== 'string') throw new HoneError('OLLAMA_ERROR', `Ollama could not describe ${model}: ${body.error ?? `HTTP ${res.status}`}`);
  return body.modelfile;
}

export async function ollamaModelLayer(baseUrl: string, model: string, env: NodeJS.ProcessEnv = process.env): Promise<ModelLayer> {
  const facts = modelfileFacts(await showModelfile(baseUrl, model));
  if (facts.adapters.length) {
    throw new HoneError('NOT_EXPORTABLE', `${model} is a base model plus a LoRA adapter in Ollama, so its GGUF file would be the base alone.`, 'A GGUF file needs the merged model: train with "merge at the end" on (Ollama must be able to import the architecture), then export.');
  }
  const digest = facts.from ? digestOfBlobPath(facts.from) : null;
  if (!facts.from || !digest) throw new HoneError('OLLAMA_ERROR', `Ollama did not say where ${model}'s weights are (its Modelfile has no FROM <blob>).`, 'Update Ollama, then export again.');
  if (!(await blobExists(baseUrl, digest))) throw new HoneError('OLLAMA_ERROR', `Ollama lists ${model} but no longer has its weights (${digest.slice(0, 19)}…).`, 'Send the run to Ollama again, then export.');
  const blobName = `sha256-${digest.slice('sha256:'.length)}`;
  const candidates = [facts.from, ...ollamaModelsDirs(env).map((d) => path.join(d, 'blobs', blobName))];
  const denied: string[] = [];
  for (const c of candidates) {
    const size = fileSize(c);
    if (size === null) continue;
    if (!readable(c)) {
      denied.push(c);
      continue;
    }
    return { digest, serverPath: facts.from, localPath: c, size };
  }
  if (denied.length) {
    throw new HoneError('NOT_FOUND', `Hone may not read Ollama's copy of ${model} at ${denied[0]} (permission denied).`, "Export as a user who can read Ollama's models folder, or make that file readable, then export again.");
  }
  throw new HoneError(
    'NOT_FOUND',
    `Ollama at ${baseUrl} keeps ${model}'s GGUF file at ${facts.from}, which is not on this computer's disk (Ollama runs in a container or on another machine), and no models folder here holds ${blobName}.`,
    "Run Hone where Ollama runs, or point OLLAMA_MODELS at Ollama's models folder as this computer sees it (for Docker, the mounted volume), then export again.",
  );
}
