// Proxies, mirrors and the retry helper's reading of the Hub's headers. The proxy is a real local HTTP
// proxy (test/connect-proxy.ts: CONNECT tunnels, as undici's ProxyAgent uses), so requests are proven to go through it or not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { checkHubSettings, hubFetch, hubNetwork, parsePac } from './http';
import { parseRateLimit, parseRetryAfter, rateLimitWait, withRetry } from './retry';
import { RetryableError } from './hub-errors';
import { startConnectProxy, type TestProxy } from './test/connect-proxy';
import { FakeHub, sampleRepoFiles } from './test/fake-hub';

let hub: FakeHub;
let proxy: TestProxy;
let proxyUrl = '';
let tunnels: string[] = [];

before(async () => {
  hub = await new FakeHub({ 'acme/tiny-chat': { files: sampleRepoFiles(1024) } }).start();
  proxy = await startConnectProxy();
  proxyUrl = proxy.url;
  tunnels = proxy.tunnels;
});
after(async () => {
  await hub.close();
  await proxy.close();
});

const listing = (f: typeof fetch) => f(`${hub.url}/api/models/acme/tiny-chat/revision/main?blobs=true`).then((r) => r.json() as Promise<{ sha: string }>);

test('the proxy from Settings carries Hub requests (Node fetch alone would ignore it)', async () => {
  tunnels.length = 0;
  const body = await listing(hubFetch({}, { hubProxy: proxyUrl }));
  assert.equal(body.sha, hub.sha);
  assert.deepEqual(tunnels, [new URL(hub.url).host]);
});

test('HTTP(S)_PROXY from the environment wins; NO_PROXY sends matching hosts direct', async () => {
  tunnels.length = 0;
  await listing(hubFetch({ HTTP_PROXY: proxyUrl }, { hubProxy: 'http://127.0.0.1:9' }));
  assert.equal(tunnels.length, 1, 'through the environment proxy, not the one from Settings (port 9 would fail)');
  tunnels.length = 0;
  await listing(hubFetch({ HTTP_PROXY: proxyUrl, NO_PROXY: 'localhost,127.0.0.1' }, {}));
  assert.equal(tunnels.length, 0);
});

test('without an explicit proxy, the system resolver (Electron) picks per URL; DIRECT goes straight', async () => {
  tunnels.length = 0;
  const asked: string[] = [];
  await listing(hubFetch({}, {}, async (url) => (asked.push(url), `PROXY ${new URL(proxyUrl).host}; DIRECT`)));
  assert.equal(tunnels.length, 1);
  assert.match(asked[0], /\/api\/models\/acme\/tiny-chat/);
  tunnels.length = 0;
  await listing(hubFetch({}, {}, async () => 'DIRECT'));
  assert.equal(tunnels.length, 0);
  assert.equal(parsePac('SOCKS5 h:1; PROXY p:8080; DIRECT'), 'http://p:8080');
  assert.equal(parsePac('HTTPS secure:443'), 'https://secure:443');
  assert.equal(parsePac('DIRECT'), null);
});

test('a dead proxy is named in the error', async () => {
  const { downloadRepo } = await import('./downloader');
  await assert.rejects(
    downloadRepo({ repo: 'acme/tiny-chat', dataDir: '/nonexistent', endpoint: hub.url, token: null, proxy: 'http://127.0.0.1:9' }, { fetch: hubFetch({}, { hubProxy: 'http://127.0.0.1:9' }), retries: 0 }),
    (e: Error & { code?: string; hint?: string }) => e.code === 'NO_NETWORK' && /through the proxy http:\/\/127\.0\.0\.1:9/.test(e.message) && /proxy/.test(e.hint ?? ''),
  );
});

test('endpoint and proxy: HF_ENDPOINT and the proxy variables win over Settings, each source named', () => {
  assert.deepEqual(hubNetwork({}, {}), { endpoint: 'https://huggingface.co', endpointFrom: 'default', proxy: null, proxyFrom: null, noProxy: '' });
  assert.deepEqual(hubNetwork({}, { hubEndpoint: 'https://hf-mirror.com/', hubProxy: 'http://p:3128' }), { endpoint: 'https://hf-mirror.com', endpointFrom: 'settings', proxy: 'http://p:3128', proxyFrom: 'settings', noProxy: '' });
  const env = hubNetwork({ HF_ENDPOINT: 'https://mirror.corp', HTTPS_PROXY: 'http://corp:8080', NO_PROXY: '.corp' }, { hubEndpoint: 'https://hf-mirror.com', hubProxy: 'http://p:3128' });
  assert.deepEqual(env, { endpoint: 'https://mirror.corp', endpointFrom: 'HF_ENDPOINT', proxy: 'http://corp:8080', proxyFrom: 'HTTPS_PROXY', noProxy: '.corp' });
  assert.deepEqual(checkHubSettings({ hubEndpoint: '', hubProxy: ' http://p:1/ ', modelsDir: '~/models' }, { HOME: '/home/u' }), { hubEndpoint: null, hubProxy: 'http://p:1', modelsDir: '/home/u/models' });
  assert.throws(() => checkHubSettings({ hubProxy: 'socks5://p:1' }, {}), { code: 'BAD_REQUEST' });
});

test('RateLimit and Retry-After are read as huggingface_hub reads them', () => {
  const h = (o: Record<string, string>) => new Headers(o);
  assert.deepEqual(parseRateLimit(h({ ratelimit: '"api";r=0;t=55', 'ratelimit-policy': '"fixed window";"api";q=500;w=300' })), { resource: 'api', remaining: 0, resetSeconds: 55, limit: 500, windowSeconds: 300 });
  assert.equal(parseRateLimit(h({ ratelimit: 'garbage' })), null);
  // RateLimit wins when it is the reason (r=0); while requests remain, Retry-After decides.
  assert.equal(rateLimitWait(h({ ratelimit: '"api";r=0;t=55', 'retry-after': '3' })), 55);
  assert.equal(rateLimitWait(h({ ratelimit: '"api";r=12;t=55', 'retry-after': '3' })), 3);
  assert.equal(parseRetryAfter(h({ 'retry-after': '120' })), 120);
  assert.equal(parseRetryAfter(h({ 'retry-after': new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString() }), Date.UTC(2030, 0, 1)), 30);
  assert.equal(parseRetryAfter(h({})), null);
});

test('withRetry: backoff doubles up to its cap, progress resets the count, a long server wait fails at once', async () => {
  const waits: number[] = [];
  let calls = 0;
  await assert.rejects(
    withRetry(async () => {
      calls++;
      throw new RetryableError('down');
    }, { retries: 4, baseDelayMs: 1, maxDelayMs: 4, maxServerWaitMs: 1000 }, { onWait: (ms) => waits.push(ms) }),
  );
  assert.equal(calls, 5);
  assert.deepEqual(waits, [1, 2, 4, 4]);
  let n = 0;
  const ok = await withRetry(async () => {
    if (++n < 8) throw new RetryableError('flaky');
    return 'done';
  }, { retries: 2, baseDelayMs: 1, maxDelayMs: 1, maxServerWaitMs: 1000 }, { madeProgress: () => true });
  assert.equal(ok, 'done', 'each try that moved forward starts the count again');
  const final = new Error('final');
  await assert.rejects(withRetry(async () => { throw new RetryableError('429', 3600, final as never); }, { retries: 5, baseDelayMs: 1, maxDelayMs: 1, maxServerWaitMs: 60_000 }), final);
});

test('a Hub that cannot be reached at all gives up after one more try, not after half a minute of backoff', async () => {
  const { downloadRepo } = await import('./downloader');
  const gone = await new FakeHub({}).start();
  await gone.close();
  const t0 = Date.now();
  await assert.rejects(
    downloadRepo({ repo: 'acme/tiny-chat', dataDir: '/nonexistent', endpoint: gone.url, token: null }, { fetch: hubFetch({}, {}) }),
    { code: 'NO_NETWORK' },
  );
  const took = Date.now() - t0;
  assert.ok(took >= 1000 && took < 5000, `gave up after ${took} ms`);
});
