// The Hub as it really behaves (redirects to another host, renamed repos, rate limits, gated refusals with
// X-Error-Message, gzip, repos holding the same weights several times), through the stand-in Hub
// (test/fake-hub.ts) and the fetch Hone really uses (undici, http.ts).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Progress } from '../../shared/types/progress';
import { downloadRepo, type DownloadDeps, type DownloadRequest } from './downloader';
import { hubFetch } from './http';
import { duplicateFormatsRepoFiles, FakeHub, INVALID_TOKEN, sampleRepoFiles } from './test/fake-hub';

const files = sampleRepoFiles(200 * 1024);
const TOKEN = 'hf_goodtoken123';
let hub: FakeHub;
let root: string;
const fast: DownloadDeps = { retryDelayMs: 1, progressIntervalMs: 0, freeBytes: async () => 1e12, fetch: hubFetch({}, {}) };

before(async () => {
  hub = await new FakeHub({
    'acme/tiny-chat': { files },
    'acme/gated-chat': { files, gated: true, allowedTokens: [TOKEN], pendingTokens: ['hf_pendingtoken1'], fineGrainedTokens: ['hf_finegrained01'] },
    'acme/all-formats': { files: duplicateFormatsRepoFiles() },
  }).start();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-hub-'));
});
after(async () => {
  await hub.close();
  fs.rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  hub.clearFaults();
  hub.requests.length = 0;
  hub.bytesSent.clear();
});

let n = 0;
function req(over: Partial<DownloadRequest> = {}): DownloadRequest & { events: Progress[] } {
  const events: Progress[] = [];
  const dir = path.join(root, `cache-${n++}`);
  return { repo: 'acme/tiny-chat', dataDir: root, endpoint: hub.url, token: null, target: { kind: 'cache', dir }, env: {}, onProgress: (p) => events.push(p), events, ...over };
}

test('LFS files redirect to the CDN on another host: the token goes to the Hub, never to the CDN', async () => {
  const res = await downloadRepo(req({ repo: 'acme/gated-chat', token: TOKEN }), fast);
  assert.ok(fs.existsSync(path.join(res.path, 'model-00001-of-00002.safetensors')));
  const cdn = hub.cdnRequests();
  assert.ok(cdn.length >= 2, 'the shards came from the CDN');
  assert.deepEqual(cdn.filter((q) => q.auth !== null), [], 'no Authorization header reached the CDN');
  assert.ok(hub.requests.filter((q) => q.host === 'hub' && q.path.includes('/resolve/')).every((q) => q.auth === `Bearer ${TOKEN}`));
});

test('a renamed repo: the Hub answers with a relative redirect, followed with the token', async () => {
  hub.renamed.set('acme/old-name', 'acme/gated-chat');
  try {
    const res = await downloadRepo(req({ repo: 'acme/old-name', token: TOKEN }), fast);
    assert.ok(fs.existsSync(path.join(res.path, 'config.json')));
    const redirected = hub.requests.filter((q) => q.path.includes('/acme/old-name/'));
    assert.ok(redirected.length > 0 && redirected.every((q) => q.status === 307));
    assert.ok(hub.requests.some((q) => q.path.includes('/acme/gated-chat/resolve/') && q.auth === `Bearer ${TOKEN}` && q.status === 200));
  } finally {
    hub.renamed.clear();
  }
});

test('429 with Retry-After: the download waits what the Hub asks, says a token raises the limit, then goes on', async () => {
  hub.rateLimitNext(1, { rateLimit: false, scope: 'api' });
  const r = req();
  const t0 = Date.now();
  await downloadRepo(r, fast);
  const api = hub.requests.filter((q) => q.path.startsWith('/api/'));
  assert.deepEqual(api.map((q) => q.status), [429, 200]);
  assert.ok(Date.now() - t0 >= 1000, 'waited the second the Hub asked for');
  const wait = r.events.find((e) => e.stage === 'Waiting');
  assert.match(wait?.detail ?? '', /rate limit.*retrying in 2 s.*token raises the limit/);
});

test('429 on a file with the IETF RateLimit header ("api";r=0;t=1): honoured the same way', async () => {
  hub.rateLimitNext(1, { retryAfter: false, scope: 'file' });
  const t0 = Date.now();
  const res = await downloadRepo(req({ token: TOKEN }), fast);
  assert.ok(Date.now() - t0 >= 1000);
  assert.ok(hub.requests.some((q) => q.status === 429));
  assert.ok(fs.existsSync(path.join(res.path, 'config.json')));
});

test('a rate limit that outlasts the tries, or asks for a very long wait, fails with its own message', async () => {
  hub.rateLimitNext(600, { scope: 'api' });
  await assert.rejects(downloadRepo(req(), fast), (e: Error & { code?: string; hint?: string }) => {
    assert.equal(e.code, 'RATE_LIMITED');
    assert.match(e.message, /rate-limiting.*"api" limit.*wait 600 s/);
    assert.match(e.hint ?? '', /access token.*higher limit/);
    return true;
  });
  hub.rateLimitNext(0, { scope: 'api', times: 3 });
  await assert.rejects(downloadRepo(req({ token: TOKEN }), { ...fast, retries: 2 }), (e: Error & { code?: string; hint?: string }) => {
    assert.equal(e.code, 'RATE_LIMITED');
    assert.doesNotMatch(e.hint ?? '', /access token/, 'with a token, no advice to add one');
    return true;
  });
});

test('5xx on the file list is retried with backoff, then succeeds; a Hub that stays down says so', async () => {
  hub.failNext(503, { times: 2, scope: 'api' });
  await downloadRepo(req(), fast);
  assert.deepEqual(hub.requests.filter((q) => q.path.startsWith('/api/')).map((q) => q.status), [503, 503, 200]);
  hub.failNext(502, { times: 3, scope: 'api' });
  await assert.rejects(downloadRepo(req(), { ...fast, retries: 2 }), (e: Error & { code?: string; hint?: string }) => {
    assert.equal(e.code, 'NO_NETWORK');
    assert.match(e.message, /answered 502/);
    assert.match(e.hint ?? '', /status\.huggingface\.co/);
    return true;
  });
});

test('cancelling during a rate-limit wait stops at once', async () => {
  hub.rateLimitNext(30, { scope: 'api' });
  const controller = new AbortController();
  const r = req({ signal: controller.signal, onProgress: (p) => p.stage === 'Waiting' && controller.abort() });
  const t0 = Date.now();
  await assert.rejects(downloadRepo(r, fast), { code: 'CANCELLED' });
  assert.ok(Date.now() - t0 < 5000);
});

test('gated refusals: the Hub\'s X-Error-Message is shown, and each case says what to do', async () => {
  const gated = (token: string) => downloadRepo(req({ repo: 'acme/gated-chat', token, tokenLabel: 'from HF_TOKEN' }), fast);
  await assert.rejects(gated('hf_finegrained01'), (e: Error & { code?: string; hint?: string }) => {
    assert.equal(e.code, 'GATED_MODEL');
    assert.match(e.message, /fine-grained token without access to public gated repos/);
    assert.match(e.message, /The Hub says: "Please enable access to public gated repositories in your fine-grained token settings/);
    assert.match(e.hint ?? '', /settings\/tokens.*Read access to contents of all public gated repos/);
    return true;
  });
  await assert.rejects(gated('hf_pendingtoken1'), (e: Error & { code?: string; hint?: string }) => {
    assert.match(e.message, /awaiting the authors' review.*The Hub says: "Your request to access model acme\/gated-chat is awaiting a review/);
    return true;
  });
  await assert.rejects(gated('hf_otheruser001'), (e: Error & { code?: string; hint?: string }) => {
    assert.match(e.message, /not on acme\/gated-chat's list.*not in the authorized list/);
    assert.match(e.hint ?? '', /Request access on .*acme\/gated-chat with the account the access token \(from HF_TOKEN\) belongs to/);
    return true;
  });
  await assert.rejects(gated(INVALID_TOKEN), (e: Error & { code?: string; hint?: string }) => {
    assert.match(e.message, /rejected the access token \(from HF_TOKEN\).*invalid or expired.*Invalid credentials in Authorization header/);
    return true;
  });
});

test('gzip: the API and small text files come compressed and land byte for byte', async () => {
  const res = await downloadRepo(req(), fast);
  assert.ok(hub.requests.some((q) => q.path.startsWith('/api/') && q.gzip), 'the listing was gzip-encoded');
  const gz = hub.requests.filter((q) => q.gzip && q.path.includes('/resolve/')).map((q) => path.basename(q.path));
  assert.ok(gz.includes('tokenizer.json') && gz.includes('config.json'), `compressed files: ${gz.join(', ')}`);
  for (const f of ['tokenizer.json', 'config.json', 'model.safetensors.index.json']) assert.ok(fs.readFileSync(path.join(res.path, f)).equals(Buffer.from(files[f])));
});

test('a repo with the same weights in four shapes: exactly the index\'s weight_map shards, plus the vision processor config', async () => {
  const r = req({ repo: 'acme/all-formats' });
  const res = await downloadRepo(r, fast);
  assert.deepEqual(fs.readdirSync(res.path).sort(), ['config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json']);
  const fetched = hub.requests.filter((q) => q.path.includes('/resolve/')).map((q) => path.basename(q.path));
  for (const skipped of ['consolidated.safetensors', 'model.safetensors', 'model.fp16-00001-of-00002.safetensors', 'model.fp16.safetensors.index.json']) assert.ok(!fetched.includes(skipped), `${skipped} not fetched`);
});

test('a hostile mirror cannot write outside the cache: traversal names are dropped, a fake commit id is refused', async () => {
  const http = await import('node:http');
  let sha = '../../../escaped';
  const siblings = [
    { rfilename: '../evil.json', size: 2, blobId: 'a'.repeat(40) },
    { rfilename: 'config.json', size: 2, blobId: 'b'.repeat(40) },
    { rfilename: 'tokenizer.json', size: 2, blobId: '../../../../tmp/x' },
    { rfilename: 'model.safetensors', size: 2, lfs: { sha256: 'c'.repeat(64), size: 2 } },
  ];
  const server = http.createServer((q, res) => {
    if (q.url?.startsWith('/api/')) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sha, siblings }));
    res.writeHead(200).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
  const r = req({ endpoint, repo: 'evil/model' });
  try {
    await assert.rejects(downloadRepo(r, fast), (e: Error & { code?: string }) => e.code === 'INTERNAL' && /names no commit id/.test(e.message));
    sha = 'd'.repeat(40);
    // Now the listing is usable, but the served bytes match no hash: refused, and nothing lands outside the cache.
    await assert.rejects(downloadRepo(r, { ...fast, retries: 0 }));
    const dir = (r.target as { dir: string }).dir;
    assert.ok(!fs.existsSync(path.join(dir, '..', 'evil.json')) && !fs.existsSync(path.join(root, 'escaped')));
    const blobs = fs.readdirSync(path.join(dir, 'models--evil--model', 'blobs'));
    assert.ok(blobs.every((b) => /^[0-9a-f]{40,64}(\.hone\.incomplete)?$|^hone-[0-9a-f]{40}/.test(b)), blobs.join(' '));
  } finally {
    server.close();
  }
});
