/**
 * Blob transfer to Ollama: the part the `ollama` npm client does not cover. Files are streamed twice at most
 * (once to hash, once to upload) and never held in memory: a 16 GB model costs a few 64 KiB buffers.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { HoneError } from '../../shared/errors';
import { isConnectionError, toOllamaError, unavailable } from './errors';

const CHUNK = 1 << 20;

/** SHA-256 of a file in one streaming pass; `onBytes` gets each chunk's length. Returns "sha256:<hex>". */
export async function hashFile(file: string, onBytes: (n: number) => void = () => undefined, signal?: AbortSignal): Promise<string> {
  const hash = crypto.createHash('sha256');
  const stream = fs.createReadStream(file, { highWaterMark: CHUNK, signal });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    onBytes(chunk.length);
  }
  return `sha256:${hash.digest('hex')}`;
}

interface RawResponse {
  status: number;
  body: string;
}

/** One HTTP request with an optional streamed file body; node:http so we set Content-Length and keep backpressure. */
function request(baseUrl: string, method: string, urlPath: string, body?: { file: string; size: number; onBytes: (n: number) => void }, signal?: AbortSignal): Promise<RawResponse> {
  const url = new URL(baseUrl + urlPath);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise<RawResponse>((resolve, reject) => {
    const req = lib.request(url, { method, signal, headers: body ? { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.size) } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text = (text + d).slice(-64 * 1024)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (!body) {
      req.end();
      return;
    }
    const file = fs.createReadStream(body.file, { highWaterMark: CHUNK });
    file.on('data', (chunk) => body.onBytes(chunk.length));
    // A server that dies mid-body shows up as an error on req (EPIPE/ECONNRESET); pipeline surfaces it once.
    pipeline(file, req).catch(reject);
  });
}

export async function blobExists(baseUrl: string, digest: string, signal?: AbortSignal): Promise<boolean> {
  try {
    const res = await request(baseUrl, 'HEAD', `/api/blobs/${digest}`, undefined, signal);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw new HoneError('OLLAMA_ERROR', `Ollama answered ${res.status} when asked for blob ${digest.slice(0, 19)}…`);
  } catch (err) {
    throw toOllamaError(err, baseUrl, 'checking which files it already has');
  }
}

/** POST a file as a blob. Ollama re-hashes what it receives and refuses a mismatch (400). */
export async function uploadBlob(baseUrl: string, digest: string, file: string, onBytes: (n: number) => void, signal?: AbortSignal): Promise<void> {
  const size = fs.statSync(file).size;
  let res: RawResponse;
  try {
    res = await request(baseUrl, 'POST', `/api/blobs/${digest}`, { file, size, onBytes }, signal);
  } catch (err) {
    if (signal?.aborted) throw err;
    if (isConnectionError(err)) throw unavailable(baseUrl, `receiving ${file}`);
    throw toOllamaError(err, baseUrl, `uploading ${file}`);
  }
  if (res.status === 200 || res.status === 201) return;
  const message = parseError(res.body) ?? `HTTP ${res.status}`;
  if (res.status === 400 && /digest/i.test(message)) {
    throw new HoneError('OLLAMA_ERROR', `${file} changed while it was being sent to Ollama (${message}).`, 'Make sure nothing is writing to the run folder, then send again.');
  }
  throw new HoneError('OLLAMA_ERROR', `Ollama refused ${file}: ${message}`);
}

export function parseError(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : null;
  } catch {
    return body.trim() || null;
  }
}
