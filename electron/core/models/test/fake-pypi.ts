/**
 * TEST DOUBLE — a stand-in for a PyPI mirror (devpi, Artifactory, Nexus: what PIP_INDEX_URL points at), serving
 * the two things fetchPypiWheel reads as PyPI serves them:
 *   GET /simple/<project>/   (Accept: application/vnd.pypi.simple.v1+json) -> PEP 691 JSON: files, sizes, sha256
 *   GET /files/<name>        -> the file, with Range requests (206)
 * and the faults real networks have, which the real PyPI cannot be made to produce on demand: a connection
 * dropped mid-file, a proxy that changes the bytes, a server that ignores Range, an index that answers HTML.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export class FakePypi {
  /** Range headers of every file request, in order (null: a request from the start). */
  readonly fileRequests: (string | null)[] = [];
  bytesSent = 0;
  /** The next n file transfers stop after `afterBytes` bytes: the socket is destroyed. */
  drops: { afterBytes: number; times: number } | null = null;
  /** The next n transfers flip a byte in the middle (a proxy that changes files). */
  corruptions = 0;
  ignoreRange = false;
  /** Answer the index with an HTML page, as an old mirror without PEP 691 does. */
  htmlIndex = false;
  url = '';
  private server: http.Server;

  constructor(
    private readonly project: string,
    private readonly filename: string,
    private readonly content: Buffer,
  ) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  get sha256(): string {
    return createHash('sha256').update(this.content).digest('hex');
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

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === `/simple/${this.project}/`) {
      if (this.htmlIndex) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><a href="x">x</a></body></html>');
      const files = [
        { filename: this.filename.replace(/-\d[^-]*-py3/, '-0.0.1-py3'), url: '/files/old.whl', size: 1, hashes: { sha256: '0'.repeat(64) } },
        { filename: this.filename, url: `/files/${this.filename}`, size: this.content.length, hashes: { sha256: this.sha256 }, yanked: false },
      ];
      return void res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' }).end(JSON.stringify({ meta: { 'api-version': '1.1' }, name: this.project, files }));
    }
    if (url.pathname !== `/files/${this.filename}`) return void res.writeHead(404).end();
    this.fileRequests.push(req.headers.range ?? null);
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m && !this.ignoreRange ? Number(m[1]) : 0;
    let body = this.content.subarray(start);
    if (this.corruptions > 0) {
      this.corruptions--;
      body = Buffer.from(body);
      body[body.length >> 1] ^= 0xff;
    }
    res.writeHead(start ? 206 : 200, { 'content-length': String(body.length), ...(start ? { 'content-range': `bytes ${start}-${this.content.length - 1}/${this.content.length}` } : {}) });
    const drop = this.drops && this.drops.times > 0 ? this.drops : null;
    if (drop) drop.times--;
    const limit = drop ? Math.min(drop.afterBytes, body.length) : body.length;
    for (let off = 0; off < limit; off += 16 * 1024) {
      const chunk = body.subarray(off, Math.min(limit, off + 16 * 1024));
      if (res.destroyed) return;
      await new Promise<void>((resolve) => res.write(chunk, () => resolve()));
      this.bytesSent += chunk.length;
    }
    if (drop) setTimeout(() => res.socket?.destroy(), 20);
    else res.end();
  }
}
