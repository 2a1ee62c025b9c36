// The Electron shell's system-proxy adapter. Electron's binary cannot be downloaded here, so its session is a
// stand-in answering resolveProxy as Chromium does (a PAC string); the proxy and the Hub download are real.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createContext } from '../core/app';
import { createModelHandlers } from '../core/models/handlers';
import { startConnectProxy, type TestProxy } from '../core/models/test/connect-proxy';
import { FakeHub, sampleRepoFiles } from '../core/models/test/fake-hub';
import { systemProxyResolver } from './system-proxy';

let hub: FakeHub;
let proxy: TestProxy;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-sysproxy-'));
before(async () => {
  hub = await new FakeHub({ 'acme/tiny-chat': { files: sampleRepoFiles(32 * 1024) } }).start();
  proxy = await startConnectProxy();
});
after(async () => {
  await hub.close();
  await proxy.close();
  fs.rmSync(root, { recursive: true, force: true });
});

test('with no proxy in Settings or the environment, downloads follow the system proxy (after app ready)', async () => {
  let ready = false;
  const asked: string[] = [];
  const resolveProxy = systemProxyResolver(
    { whenReady: async () => void (ready = true) },
    () => ({ resolveProxy: async (url: string) => (asked.push(url), assert.ok(ready, 'asked only once the app is ready'), `PROXY ${proxy.host}; DIRECT`) }),
  );
  const { ctx, close } = createContext({ mode: 'electron', paths: { dataDir: path.join(root, 'data') }, env: { HOME: path.join(root, 'home'), HF_ENDPOINT: hub.url }, resolveProxy });
  const h = createModelHandlers(ctx, { retryDelayMs: 1, freeBytes: async () => 1e12 });
  await h['models.download']({ model: 'acme/tiny-chat' });
  assert.ok(proxy.tunnels.length > 0 && proxy.tunnels.every((t) => t === new URL(hub.url).host || t === new URL(hub.cdnUrl).host));
  assert.ok(asked.some((u) => u.startsWith(hub.cdnUrl)), 'the CDN host is resolved on its own');
  assert.equal((await h['models.hubStatus']()).proxyFrom, 'system');
  await close();
});
