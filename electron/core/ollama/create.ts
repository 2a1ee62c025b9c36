/**
 * POST /api/create (0.5+ JSON API) with a streamed reply. The npm client's create() has no `files`, so we
 * speak it ourselves. A failure can arrive two ways: a non-2xx status, or an `{"error": ...}` line after a 200
 * once streaming began (conversion and quantisation fail late); both become a HoneError.
 */
import { HoneError } from '../../shared/errors';
import { parseError } from './blobs';
import { isConnectionError, unavailable } from './errors';

export interface CreateBody {
  model: string;
  files?: Record<string, string>;
  from?: string;
  adapters?: Record<string, string>;
  template: string;
  system?: string;
  parameters: Record<string, unknown>;
  quantize?: string;
}

export interface CreateStatus {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

/** Turns Ollama's error text into the code the UI reacts to. */
export function createError(message: string): HoneError {
  if (/unsupported architecture|unknown architecture/i.test(message)) {
    return new HoneError('UNSUPPORTED_ARCH', `Ollama cannot convert this model: ${message}`, 'Send the LoRA adapter onto the base model in Ollama, or convert to GGUF with llama.cpp and import that.');
  }
  if (/unsupported quantization type/i.test(message)) {
    return new HoneError('UNSUPPORTED_QUANT', `This Ollama cannot quantise to that type: ${message}`, 'Choose one of the types Ollama names, or f16.');
  }
  if (/quantiz/i.test(message)) {
    return new HoneError('OLLAMA_ERROR', `Ollama could not quantise the model: ${message}`, 'Choose q8_0 or f16 instead.');
  }
  return new HoneError('OLLAMA_ERROR', `Ollama could not create the model: ${message}`);
}

export async function createModel(baseUrl: string, body: CreateBody, onStatus: (s: CreateStatus) => void, signal?: AbortSignal): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/api/create`, { method: 'POST', body: JSON.stringify({ ...body, stream: true }), headers: { 'Content-Type': 'application/json' }, signal });
  } catch (err) {
    if (isConnectionError(err)) throw unavailable(baseUrl, 'creating the model');
    throw err;
  }
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => '');
    throw createError(parseError(text) ?? `HTTP ${res.status}`);
  }
  let buffered = '';
  let succeeded = false;
  const handle = (line: string) => {
    if (!line.trim()) return;
    let msg: CreateStatus & { error?: string };
    try {
      msg = JSON.parse(line) as CreateStatus & { error?: string };
    } catch {
      return; // a partial or foreign line: ignore rather than fail a long create
    }
    if (typeof msg.error === 'string') throw createError(msg.error);
    if (msg.status === 'success') succeeded = true;
    onStatus(msg);
  };
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        handle(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    }
    handle(buffered + decoder.decode());
  } catch (err) {
    if (err instanceof HoneError) throw err;
    if (isConnectionError(err)) throw unavailable(baseUrl, 'creating the model');
    throw err;
  }
  if (!succeeded) throw new HoneError('OLLAMA_ERROR', 'Ollama ended the create request without reporting success.', 'Check the Ollama server log, then send again.');
}

async function post(baseUrl: string, route: string, method: string, body: unknown, during: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}${route}`, { method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  } catch (err) {
    if (isConnectionError(err)) throw unavailable(baseUrl, during);
    throw err;
  }
  if (!res.ok) throw new HoneError('OLLAMA_ERROR', `Ollama refused ${during}: ${parseError(await res.text().catch(() => '')) ?? `HTTP ${res.status}`}`);
}

/** /api/copy: a second name for the same manifest (no blob is copied). */
export function copyModel(baseUrl: string, source: string, destination: string): Promise<void> {
  return post(baseUrl, '/api/copy', 'POST', { source, destination }, `copying ${source} to ${destination}`);
}

export function deleteModel(baseUrl: string, model: string): Promise<void> {
  return post(baseUrl, '/api/delete', 'DELETE', { model, name: model }, `deleting ${model}`);
}
