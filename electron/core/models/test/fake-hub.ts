/**
 * TEST DOUBLE — a stand-in for the Hugging Face Hub, which cannot be reached from the test machine.
 * A local HTTP server imitating the two endpoints Hone uses, as the real Hub behaves:
 *   GET  /api/models/<owner>/<name>/revision/<rev>?blobs=true  -> { sha, gated, siblings[{rfilename,size,blobId,lfs}] }
 *   GET|HEAD /<owner>/<name>/resolve/<rev>/<file>             -> small files directly; LFS files 302 to a CDN path
 * with Range requests (206 / 416), gated repos (401 without a token, 403 without access, X-Error-Code
 * headers), and faults a test can arm: a connection dropped mid-transfer, Range ignored, slow chunks.
 * It counts the content bytes it sends, so tests can prove a resume did not fetch bytes twice.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRepo {
  files: Record<string, Buffer | string>;
  gated?: boolean;
  /** Tokens with access to a gated repo. */
  allowedTokens?: string[];
}

export interface FakeHubRequest {
  method: string;
  path: string;
  range: string | null;
  auth: string | null;
  status: number;
}

const LFS = /\.(safetensors|bin|pth|gguf|onnx|model)$/;

export function gitBlobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export class FakeHub {
  readonly requests: FakeHubRequest[] = [];
  /** Content bytes sent per "<repo>/<file>". */
  readonly bytesSent = new Map<string, number>();
  /** Answer Range requests with 200 and the whole file, as some mirrors do. */
  ignoreRange = false;
  /** false: list files by name only (as without ?blobs=true), so sizes must come from HEAD. */
  listSizes = true;
  /** Pause between 64 KB chunks, so a test can cancel mid-transfer. */
  chunkDelayMs = 0;
  /** The repos' current commit; a test changes it to imitate a repo updated between two downloads. */
  sha = 'a'.repeat(40);
  private drops = new Map<string, { afterBytes: number; times: number }>();
  private server: http.Server;
  url = '';

  constructor(private readonly repos: Record<string, FakeRepo>) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `times` transfers of repo/file stop after `afterBytes` content bytes: the socket is destroyed. */
  dropNext(repoFile: string, afterBytes: number, times = 1): void {
    this.drops.set(repoFile, { afterBytes, times });
  }

  sent(repoFile: string): number {
    return this.bytesSent.get(repoFile) ?? 0;
  }

  fileRequests(): FakeHubRequest[] {
    return this.requests.filter((r) => !r.path.startsWith('/api/'));
  }

  private content(repo: string, file: string): Buffer | null {
    const c = this.repos[repo]?.files[file];
    return c === undefined ? null : Buffer.isBuffer(c) ? c : Buffer.from(c);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const entry: FakeHubRequest = { method: req.method ?? 'GET', path: url.pathname, range: req.headers.range ?? null, auth: req.headers.authorization ?? null, status: 0 };
    this.requests.push(entry);
    const reply = (status: number, headers: Record<string, string> = {}, body = '') => {
      entry.status = status;
      res.writeHead(status, headers).end(body);
    };
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const cdn = /^\/cdn\/([^/]+\/[^/]+)\/(.+)$/.exec(url.pathname);
    if (api) {
      const repo = this.repos[api[1]];
      if (!repo) return reply(401, { 'x-error-code': 'RepoNotFound', 'content-type': 'application/json' }, '{"error":"Repository Not Found"}');
      const siblings = Object.keys(repo.files).map((name) => {
        const c = this.content(api[1], name)!;
        if (!this.listSizes) return { rfilename: name };
        return LFS.test(name)
          ? { rfilename: name, size: c.length, blobId: createHash('sha1').update(name).digest('hex'), lfs: { sha256: createHash('sha256').update(c).digest('hex'), size: c.length, pointerSize: 134 } }
          : { rfilename: name, size: c.length, blobId: gitBlobId(c) };
      });
      return reply(200, { 'content-type': 'application/json' }, JSON.stringify({ id: api[1], sha: this.sha, gated: repo.gated ? 'manual' : false, siblings }));
    }
    if (resolve) {
      const [, repoId, rev, file] = resolve;
      const repo = this.repos[repoId];
      if (!repo) return reply(401, { 'x-error-code': 'RepoNotFound' });
      if (repo.gated) {
        const token = /^Bearer (.+)$/.exec(entry.auth ?? '')?.[1];
        if (!token) return reply(401, { 'x-error-code': 'GatedRepo' }, 'Access to this model is restricted. You must be authenticated.');
        if (!(repo.allowedTokens ?? []).includes(token)) return reply(403, { 'x-error-code': 'GatedRepo' }, 'You must accept the conditions to access this model.');
      }
      if (rev !== 'main' && rev !== this.sha) return reply(404, { 'x-error-code': 'RevisionNotFound' });
      const c = this.content(repoId, decodeURIComponent(file));
      if (!c) return reply(404, { 'x-error-code': 'EntryNotFound' });
      if (LFS.test(file)) {
        // Like the Hub: large files redirect to the CDN, with the size and hash on the redirect itself.
        const etag = createHash('sha256').update(c).digest('hex');
        return reply(302, { location: `/cdn/${repoId}/${file}`, 'x-linked-size': String(c.length), 'x-linked-etag': `"${etag}"` });
      }
      return this.serve(req, res, entry, `${repoId}/${decodeURIComponent(file)}`, c);
    }
    if (cdn) {
      const c = this.content(cdn[1], decodeURIComponent(cdn[2]));
      if (!c) return reply(404);
      return this.serve(req, res, entry, `${cdn[1]}/${decodeURIComponent(cdn[2])}`, c);
    }
    reply(404);
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse, entry: FakeHubRequest, key: string, c: Buffer): Promise<void> {
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

/** A small model repo shaped like real ones: two safetensors shards + index, tokenizer, and formats Hone must skip. */
export function sampleRepoFiles(shardBytes = 600 * 1024): Record<string, Buffer | string> {
  const shard = (seed: number) => {
    const b = Buffer.alloc(shardBytes);
    for (let i = 0; i < b.length; i++) b[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
    return b;
  };
  return {
    'config.json': JSON.stringify({ architectures: ['LlamaForCausalLM'], hidden_size: 64 }),
    'generation_config.json': '{"do_sample":true}',
    'tokenizer.json': JSON.stringify({ model: { type: 'BPE', vocab: { a: 0 } } }),
    'tokenizer_config.json': '{"chat_template":"{{ messages }}"}',
    'special_tokens_map.json': '{}',
    'model-00001-of-00002.safetensors': shard(1),
    'model-00002-of-00002.safetensors': shard(2),
    'model.safetensors.index.json': '{"weight_map":{}}',
    'pytorch_model.bin': shard(3),
    'consolidated.safetensors': shard(4),
    'original/consolidated.00.pth': shard(5),
    'onnx/model.onnx': shard(6),
    'README.md': '# a model',
  };
}
