/**
 * TEST DOUBLE — a stand-in for the Hugging Face Hub, which cannot be reached from the test machine.
 * Local HTTP servers imitating the endpoints Hone uses, as the real Hub behaves:
 *   GET  /api/models/<owner>/<name>/revision/<rev>?blobs=true  -> { sha, gated, siblings[{rfilename,size,blobId,lfs}] }
 *   GET|HEAD /<owner>/<name>/resolve/<rev>/<file>             -> small files directly; LFS files 302 to the CDN
 * The CDN is a second server (another origin, as cdn-lfs.hf.co is another host), which records the
 * Authorization headers it receives so tests can prove the token never reaches it. Also as the Hub does:
 * a renamed repo answers with a relative 307; gated repos answer 401/403 with X-Error-Code and the Hub's
 * X-Error-Message texts (not on the list, awaiting review, a fine-grained token without gated access,
 * an invalid token); 429 with Retry-After and the IETF RateLimit header; the API's JSON and small text
 * files gzip-compressed when the client accepts it (text files chunked, without Content-Length, and
 * ignoring Range, as CloudFront does). Faults a test can arm: a connection dropped mid-transfer, Range
 * ignored, slow chunks, 5xx answers. It counts the content bytes it sends, so tests can prove a resume
 * did not fetch bytes twice.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

export interface FakeRepo {
  files: Record<string, Buffer | string>;
  gated?: boolean;
  /** Tokens with access to a gated repo. */
  allowedTokens?: string[];
  /** Tokens whose access request awaits the authors' review. */
  pendingTokens?: string[];
  /** Fine-grained tokens without "read access to public gated repos". */
  fineGrainedTokens?: string[];
  /** Other branches and tags: their commit and files. */
  refs?: Record<string, { sha: string; files: Record<string, Buffer | string> }>;
}

export interface FakeHubRequest {
  method: string;
  path: string;
  range: string | null;
  auth: string | null;
  acceptEncoding: string | null;
  status: number;
  /** Which server answered: the Hub or the CDN. */
  host: 'hub' | 'cdn';
  gzip: boolean;
}

const LFS = /\.(safetensors|bin|pth|gguf|onnx|model)$/;
const TEXT = /\.(json|txt|jinja|md)$/;
/** Tokens the Hub does not know at all: 401 "Invalid credentials". */
export const INVALID_TOKEN = 'hf_revokedtoken0';

export function gitBlobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

type Fault = { status: number; headers: Record<string, string>; times: number; scope: 'api' | 'file' | 'any' };

export class FakeHub {
  readonly requests: FakeHubRequest[] = [];
  /** Content bytes sent per "<repo>/<file>". */
  readonly bytesSent = new Map<string, number>();
  /** Answer Range requests with 200 and the whole file, as some mirrors do. */
  ignoreRange = false;
  /** false: list files by name only (as without ?blobs=true), so sizes must come from HEAD. */
  listSizes = true;
  /** Compress the API's JSON and small text files when the client accepts gzip, as the Hub's CDN does. */
  gzip = true;
  /** Pause between 64 KB chunks, so a test can cancel mid-transfer. */
  chunkDelayMs = 0;
  /** The repos' current commit on main; a test changes it to imitate a repo updated between two downloads. */
  sha = 'a'.repeat(40);
  /** Old repo id -> new: the Hub redirects the old one with a relative 307. */
  readonly renamed = new Map<string, string>();
  /** The most file transfers the servers had in flight at once. */
  maxInFlight = 0;
  private inFlight = 0;
  private drops = new Map<string, { afterBytes: number; times: number }>();
  private faults: Fault[] = [];
  private hub: http.Server;
  private cdnServer: http.Server;
  url = '';
  cdnUrl = '';

  constructor(private readonly repos: Record<string, FakeRepo>) {
    this.hub = http.createServer((req, res) => void this.handle(req, res, 'hub'));
    this.cdnServer = http.createServer((req, res) => void this.handle(req, res, 'cdn'));
  }

  async start(): Promise<this> {
    const listen = (s: http.Server) => new Promise<string>((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
    this.url = await listen(this.hub);
    this.cdnUrl = await listen(this.cdnServer);
    return this;
  }

  async close(): Promise<void> {
    for (const s of [this.hub, this.cdnServer]) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }

  /** The next `times` transfers of repo/file stop after `afterBytes` content bytes: the socket is destroyed. */
  dropNext(repoFile: string, afterBytes: number, times = 1): void {
    this.drops.set(repoFile, { afterBytes, times });
  }

  /** The next `times` Hub requests (API, file, or either) answer `status` with these headers. */
  failNext(status: number, opts: { times?: number; headers?: Record<string, string>; scope?: Fault['scope'] } = {}): void {
    this.faults.push({ status, headers: opts.headers ?? {}, times: opts.times ?? 1, scope: opts.scope ?? 'any' });
  }

  /** As the Hub rate-limits: 429 with RateLimit ("api";r=0;t=N) and RateLimit-Policy, and Retry-After. */
  rateLimitNext(seconds: number, opts: { times?: number; retryAfter?: boolean; rateLimit?: boolean; scope?: Fault['scope'] } = {}): void {
    const headers: Record<string, string> = {};
    if (opts.rateLimit !== false) {
      headers.ratelimit = `"api";r=0;t=${seconds}`;
      headers['ratelimit-policy'] = '"fixed window";"api";q=500;w=300';
    }
    if (opts.retryAfter !== false) headers['retry-after'] = String(seconds);
    this.failNext(429, { times: opts.times, headers, scope: opts.scope });
  }

  /** Disarms every fault a test armed and did not use up. */
  clearFaults(): void {
    this.faults.length = 0;
    this.drops.clear();
  }

  sent(repoFile: string): number {
    return this.bytesSent.get(repoFile) ?? 0;
  }

  fileRequests(): FakeHubRequest[] {
    return this.requests.filter((r) => !r.path.startsWith('/api/'));
  }

  cdnRequests(): FakeHubRequest[] {
    return this.requests.filter((r) => r.host === 'cdn');
  }

  private files(repo: FakeRepo, rev: string): { sha: string; files: Record<string, Buffer | string> } | null {
    if (rev === 'main' || rev === this.sha) return { sha: this.sha, files: repo.files };
    for (const [name, ref] of Object.entries(repo.refs ?? {})) if (rev === name || rev === ref.sha) return ref;
    return null;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, host: 'hub' | 'cdn'): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const accept = req.headers['accept-encoding'] ?? null;
    const entry: FakeHubRequest = { method: req.method ?? 'GET', path: url.pathname, range: req.headers.range ?? null, auth: req.headers.authorization ?? null, acceptEncoding: accept, status: 0, host, gzip: false };
    this.requests.push(entry);
    const reply = (status: number, headers: Record<string, string> = {}, body = '') => {
      entry.status = status;
      res.writeHead(status, headers).end(body);
    };
    if (host === 'cdn') {
      const cdn = /^\/cdn\/([^/]+\/[^/]+)\/([0-9a-f]{40})\/(.+)$/.exec(url.pathname);
      const repo = cdn ? this.repos[cdn[1]] : undefined;
      const c = repo ? this.files(repo, cdn![2])?.files[decodeURIComponent(cdn![3])] : undefined;
      if (c === undefined) return reply(404);
      return this.serve(req, res, entry, `${cdn![1]}/${decodeURIComponent(cdn![3])}`, Buffer.from(c));
    }
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const fault = this.faults.find((f) => f.scope === 'any' || f.scope === (api ? 'api' : 'file'));
    if (fault && (api || resolve)) {
      if (--fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
      return reply(fault.status, { 'x-error-message': fault.status === 429 ? 'You have been rate-limited; you can retry this action in a few seconds.' : 'Internal Error', ...fault.headers });
    }
    const repoId = api?.[1] ?? resolve?.[1];
    const moved = repoId ? this.renamed.get(repoId) : undefined;
    // A renamed repo: the Hub answers with a relative redirect to the new name (huggingface_hub follows those).
    if (moved) return reply(307, { location: url.pathname.replace(`/${repoId}/`, `/${moved}/`) + url.search });
    if (api) {
      const repo = this.repos[api[1]];
      if (!repo) return reply(401, { 'x-error-code': 'RepoNotFound', 'x-error-message': 'Repository not found', 'content-type': 'application/json' }, '{"error":"Repository Not Found"}');
      const at = this.files(repo, decodeURIComponent(api[2]));
      if (!at) return reply(404, { 'x-error-code': 'RevisionNotFound', 'x-error-message': `Invalid rev id: ${decodeURIComponent(api[2])}` });
      const siblings = Object.entries(at.files).map(([name, raw]) => {
        const c = Buffer.from(raw);
        if (!this.listSizes) return { rfilename: name };
        return LFS.test(name)
          ? { rfilename: name, size: c.length, blobId: createHash('sha1').update(name).digest('hex'), lfs: { sha256: createHash('sha256').update(c).digest('hex'), size: c.length, pointerSize: 134 } }
          : { rfilename: name, size: c.length, blobId: gitBlobId(c) };
      });
      const body = Buffer.from(JSON.stringify({ id: api[1], sha: at.sha, gated: repo.gated ? 'manual' : false, siblings }));
      if (this.gzip && /gzip/.test(accept ?? '')) {
        entry.gzip = true;
        entry.status = 200;
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(zlib.gzipSync(body));
        return;
      }
      return reply(200, { 'content-type': 'application/json' }, body.toString());
    }
    if (resolve) {
      const [, id, rev, file] = resolve;
      const repo = this.repos[id];
      if (!repo) return reply(401, { 'x-error-code': 'RepoNotFound', 'x-error-message': 'Repository not found' });
      if (repo.gated) {
        const token = /^Bearer (.+)$/.exec(entry.auth ?? '')?.[1];
        const gate = (status: number, message: string) => reply(status, { 'x-error-code': 'GatedRepo', 'x-error-message': message }, message);
        if (!token) return gate(401, `Access to model ${id} is restricted. You must have access to it and be authenticated to access it. Please log in.`);
        if (token === INVALID_TOKEN) return reply(401, { 'x-error-message': 'Invalid credentials in Authorization header' });
        if (repo.fineGrainedTokens?.includes(token)) return gate(403, 'Please enable access to public gated repositories in your fine-grained token settings to view this repository.');
        if (repo.pendingTokens?.includes(token)) return gate(403, `Your request to access model ${id} is awaiting a review from the repo authors.`);
        if (!(repo.allowedTokens ?? []).includes(token)) return gate(403, `Access to model ${id} is restricted and you are not in the authorized list. Visit ${this.url}/${id} to ask for access.`);
      }
      const at = this.files(repo, decodeURIComponent(rev));
      if (!at) return reply(404, { 'x-error-code': 'RevisionNotFound', 'x-error-message': `Invalid rev id: ${decodeURIComponent(rev)}` });
      const name = decodeURIComponent(file);
      const raw = at.files[name];
      if (raw === undefined) return reply(404, { 'x-error-code': 'EntryNotFound', 'x-error-message': `${name} does not exist on "${rev}"` });
      const c = Buffer.from(raw);
      const commit = { 'x-repo-commit': at.sha };
      if (LFS.test(name)) {
        // Like the Hub: large files redirect to the CDN (another host), with the size and hash on the redirect.
        const etag = createHash('sha256').update(c).digest('hex');
        return reply(302, { ...commit, location: `${this.cdnUrl}/cdn/${id}/${at.sha}/${file}`, 'x-linked-size': String(c.length), 'x-linked-etag': `"${etag}"` });
      }
      res.setHeader('etag', `"${gitBlobId(c)}"`);
      res.setHeader('x-repo-commit', at.sha);
      return this.serve(req, res, entry, `${id}/${name}`, c);
    }
    reply(404);
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse, entry: FakeHubRequest, key: string, c: Buffer): Promise<void> {
    // Small text files compressed on the fly, as the Hub's CDN does: chunked, no Content-Length, Range ignored.
    if (this.gzip && TEXT.test(key) && /gzip/.test(entry.acceptEncoding ?? '') && req.method === 'GET') {
      entry.gzip = true;
      entry.status = 200;
      res.writeHead(200, { 'content-encoding': 'gzip', 'transfer-encoding': 'chunked' });
      this.bytesSent.set(key, this.sent(key) + c.length);
      res.end(zlib.gzipSync(c));
      return;
    }
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && !this.ignoreRange) {
      start = Number(m[1]);
      if (start >= c.length) {
        entry.status = 416;
        res.writeHead(416, { 'content-range': `bytes */${c.length}` }).end();
        return;
      }
    }
    const body = c.subarray(start);
    entry.status = start > 0 ? 206 : 200;
    res.writeHead(entry.status, {
      'content-length': String(body.length),
      'accept-ranges': 'bytes',
      ...(start > 0 ? { 'content-range': `bytes ${start}-${c.length - 1}/${c.length}` } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    res.once('close', () => this.inFlight--);
    const drop = this.drops.get(key);
    const limit = drop ? Math.min(drop.afterBytes, body.length) : body.length;
    if (drop && --drop.times <= 0) this.drops.delete(key);
    for (let off = 0; off < limit; off += 64 * 1024) {
      const chunk = body.subarray(off, Math.min(limit, off + 64 * 1024));
      if (res.destroyed) return;
      await new Promise<void>((resolve) => res.write(chunk, () => resolve()));
      this.bytesSent.set(key, this.sent(key) + chunk.length);
      if (this.chunkDelayMs) await new Promise((r) => setTimeout(r, this.chunkDelayMs));
    }
    // A dropped connection: the bytes written so far have reached the socket; then it dies mid-body
    // (after a pause, as a real drop comes some time after the last packet, not with it).
    if (drop) setTimeout(() => res.socket?.destroy(), 30);
    else res.end();
  }
}

function pattern(bytes: number, seed: number): Buffer {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < b.length; i++) b[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return b;
}

const weightMap = (shards: string[]) => JSON.stringify({ metadata: { total_size: 0 }, weight_map: Object.fromEntries(shards.flatMap((s, i) => [[`model.layers.${i}.weight`, s], [`model.layers.${i}.bias`, s]])) });

/** A small model repo shaped like real ones: two safetensors shards + index, tokenizer, and formats Hone must skip. */
export function sampleRepoFiles(shardBytes = 600 * 1024): Record<string, Buffer | string> {
  return {
    'config.json': JSON.stringify({ architectures: ['LlamaForCausalLM'], hidden_size: 64 }),
    'generation_config.json': '{"do_sample":true}',
    'tokenizer.json': JSON.stringify({ model: { type: 'BPE', vocab: { a: 0 } } }),
    'tokenizer_config.json': '{"chat_template":"{{ messages }}"}',
    'special_tokens_map.json': '{}',
    'model-00001-of-00002.safetensors': pattern(shardBytes, 1),
    'model-00002-of-00002.safetensors': pattern(shardBytes, 2),
    'model.safetensors.index.json': weightMap(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']),
    'pytorch_model.bin': pattern(shardBytes, 3),
    'consolidated.safetensors': pattern(shardBytes, 4),
    'original/consolidated.00.pth': pattern(shardBytes, 5),
    'onnx/model.onnx': pattern(shardBytes, 6),
    'README.md': '# a model',
  };
}

/**
 * The same weights in every shape real repos carry them: the index's shards, fp16-variant shards with their
 * own index, Mistral's consolidated.safetensors, and a stale model.safetensors left beside the shards; plus
 * a vision processor config. Only the index's weight_map shards (and the processor config) belong in a download.
 */
export function duplicateFormatsRepoFiles(shardBytes = 200 * 1024): Record<string, Buffer | string> {
  const shards = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  return {
    'config.json': JSON.stringify({ architectures: ['LlavaForConditionalGeneration'], hidden_size: 64 }),
    'tokenizer.json': JSON.stringify({ model: { type: 'BPE', vocab: { a: 0 } } }),
    'tokenizer_config.json': '{}',
    'preprocessor_config.json': JSON.stringify({ image_processor_type: 'CLIPImageProcessor', crop_size: 336 }),
    [shards[0]]: pattern(shardBytes, 11),
    [shards[1]]: pattern(shardBytes, 12),
    'model.safetensors.index.json': weightMap(shards),
    'model.fp16-00001-of-00002.safetensors': pattern(shardBytes, 13),
    'model.fp16-00002-of-00002.safetensors': pattern(shardBytes, 14),
    'model.fp16.safetensors.index.json': weightMap(['model.fp16-00001-of-00002.safetensors', 'model.fp16-00002-of-00002.safetensors']),
    'consolidated.safetensors': pattern(shardBytes * 2, 15),
    'model.safetensors': pattern(shardBytes * 2, 16),
  };
}
