// Downloads against a local stand-in for the Hugging Face Hub (test/fake-hub.ts): the real downloader,
// real HTTP, real files; only the Hub itself is imitated, because it cannot be reached from here.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Progress } from '../../shared/types/progress';
import { downloadRepo, COMPLETE_MARKER, type DownloadDeps, type DownloadRequest } from './downloader';
import { cacheRepoDir } from './hf-cache';
import { repoDir } from './hub';
import { FakeHub, sampleRepoFiles } from './test/fake-hub';

const REPO = 'acme/tiny-chat';
const GATED = 'acme/gated-chat';
const SHARD = 'model-00001-of-00002.safetensors';
const files = sampleRepoFiles();
const WANTED = ['config.json', 'generation_config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json'];
const totalBytes = WANTED.reduce((n, f) => n + Buffer.from(files[f]).length, 0);

let hub: FakeHub;
let dataDir: string;
let cache: string;
const fast: DownloadDeps = { retryDelayMs: 1, progressIntervalMs: 0, freeBytes: async () => 1e12 };

before(async () => {
  hub = await new FakeHub({ [REPO]: { files }, [GATED]: { files, gated: true, allowedTokens: ['hf_goodtoken123'] } }).start();
});
const dirs: string[] = [];
after(async () => {
  await hub.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-dl-'));
  cache = path.join(dataDir, 'hf-cache');
  dirs.push(dataDir);
  hub.requests.length = 0;
  hub.bytesSent.clear();
  hub.ignoreRange = false;
  hub.listSizes = true;
  hub.maxInFlight = 0;
});

function req(over: Partial<DownloadRequest> = {}): DownloadRequest & { events: Progress[] } {
  const events: Progress[] = [];
  return { repo: REPO, dataDir, endpoint: hub.url, token: null, target: { kind: 'cache', dir: cache }, env: {}, onProgress: (p) => events.push(p), events, ...over };
}

const blobs = (repo = REPO) => path.join(cacheRepoDir(cache, repo), 'blobs');
const partOf = (name: string, repo = REPO) => {
  const parts = fs.readdirSync(blobs(repo)).filter((f) => f.endsWith('.hone.incomplete'));
  assert.equal(parts.length, 1, `one partial blob (${name})`);
  return path.join(blobs(repo), parts[0]);
};

function assertMonotonic(events: Progress[], total: number): void {
  const bytes = events.filter((e) => e.total !== null);
  assert.ok(bytes.length >= 3, `expected several progress events, got ${bytes.length}`);
  for (let i = 1; i < bytes.length; i++) assert.ok(bytes[i].done >= bytes[i - 1].done, `progress went back at event ${i}`);
  for (const e of bytes) assert.equal(e.total, total);
  assert.equal(bytes.at(-1)!.done, total);
  assert.equal(bytes.at(-1)!.unit, 'bytes');
}

test('downloads the files a training needs into the HF cache: blobs, a snapshot of links, refs/main', async () => {
  const r = req();
  const res = await downloadRepo(r, fast);
  const repoDirInCache = cacheRepoDir(cache, REPO);
  assert.equal(res.path, path.join(repoDirInCache, 'snapshots', hub.sha));
  assert.equal(res.alreadyComplete, false);
  assert.equal(res.sizeBytes, totalBytes);
  assert.equal(res.revision, hub.sha);
  // No .bin / consolidated / .pth / .onnx / README when the index names the shards.
  assert.deepEqual(fs.readdirSync(res.path).sort(), WANTED);
  for (const f of WANTED) {
    const at = path.join(res.path, f);
    assert.ok(fs.lstatSync(at).isSymbolicLink(), `${f} is a link`);
    assert.match(fs.readlinkSync(at), /^\.\.\/\.\.\/blobs\/[0-9a-f]{40,64}$/, 'relative, as huggingface_hub makes them');
    assert.ok(fs.readFileSync(at).equals(Buffer.from(files[f])), `${f} differs`);
  }
  assert.equal(fs.readFileSync(path.join(repoDirInCache, 'refs', 'main'), 'utf8'), hub.sha);
  assert.ok(fs.existsSync(path.join(cache, 'CACHEDIR.TAG')));
  assert.deepEqual(fs.readdirSync(blobs()).filter((f) => f.includes('incomplete')), []);
  assertMonotonic(r.events, totalBytes);
  // Files are fetched at the listed commit, so a repo updated mid-download cannot mix revisions.
  assert.ok(hub.fileRequests().filter((q) => q.host === 'hub').every((q) => q.path.includes(`/resolve/${hub.sha}/`)));
});

test('a second call returns at once, without asking the Hub anything', async () => {
  await downloadRepo(req(), fast);
  hub.requests.length = 0;
  const again = await downloadRepo(req(), fast);
  assert.equal(again.alreadyComplete, true);
  assert.equal(again.sizeBytes, totalBytes);
  assert.equal(again.files, WANTED.length);
  assert.equal(hub.requests.length, 0);
});

test('files come 4 at a time, and the progress names the ones in flight', async () => {
  hub.chunkDelayMs = 20;
  try {
    const r = req();
    await downloadRepo(r, { ...fast, concurrency: 4 });
    assert.ok(hub.maxInFlight >= 2 && hub.maxInFlight <= 4, `in flight at once: ${hub.maxInFlight}`);
    assert.ok(r.events.some((e) => (e.detail ?? '').split(', ').length >= 2), 'several files named at once');
  } finally {
    hub.chunkDelayMs = 0;
  }
});

test('a dropped connection resumes with Range inside the same call: no byte is fetched twice, nothing is read again', async () => {
  const cut = 200 * 1024;
  hub.dropNext(`${REPO}/${SHARD}`, cut);
  const r = req();
  const res = await downloadRepo(r, fast);
  const size = Buffer.from(files[SHARD]).length;
  const ranged = hub.cdnRequests().filter((q) => q.path.endsWith(SHARD) && q.range);
  assert.equal(ranged.length, 1);
  assert.equal(ranged[0].status, 206);
  // The resume starts at the bytes that reached the disk; only bytes still in flight when the
  // connection died (none, usually) are sent again.
  const written = Number(/^bytes=(\d+)-$/.exec(ranged[0].range ?? '')?.[1]);
  assert.ok(written > 0 && written <= cut, `resumed at ${written}`);
  assert.equal(hub.sent(`${REPO}/${SHARD}`), cut + (size - written), 'nothing that was written is fetched again');
  assert.ok(fs.readFileSync(path.join(res.path, SHARD)).equals(Buffer.from(files[SHARD])));
  // The hash ran while the bytes streamed, across the drop: no "Verifying" pass over the file.
  assert.ok(!r.events.some((e) => e.stage === 'Verifying'));
  assertMonotonic(r.events, totalBytes);
});

test('after a failed download, the next call resumes from the partial blob, re-reading only that part', async () => {
  const cut = 300 * 1024;
  hub.dropNext(`${REPO}/${SHARD}`, cut);
  await assert.rejects(downloadRepo(req(), { ...fast, retries: 0 }), (e: Error & { code?: string; hint?: string }) => {
    assert.equal(e.code, 'NO_NETWORK');
    assert.match(e.message, /Lost the connection/);
    assert.match(e.hint ?? '', /resumes where it stopped/);
    return true;
  });
  const written = fs.statSync(partOf(SHARD)).size;
  assert.ok(written > 0 && written <= cut, `kept ${written} bytes`);
  assert.ok(!fs.existsSync(path.join(cacheRepoDir(cache, REPO), 'snapshots')), 'no snapshot until every file is here');

  hub.requests.length = 0;
  const r = req();
  const res = await downloadRepo(r, fast);
  const resumed = hub.cdnRequests().filter((q) => q.path.endsWith(SHARD));
  assert.deepEqual(resumed.map((q) => [q.range, q.status]), [[`bytes=${written}-`, 206]]);
  assert.equal(hub.sent(`${REPO}/${SHARD}`), cut + Buffer.from(files[SHARD]).length - written, 'nothing already on disk is fetched again');
  assert.ok(r.events.find((e) => e.total !== null)!.done >= written, 'progress starts from the bytes already on disk');
  assert.ok(r.events.some((e) => e.stage === 'Verifying' && e.detail?.startsWith(SHARD)), 'the resumed part is checked, with progress');
  assert.ok(fs.readFileSync(path.join(res.path, SHARD)).equals(Buffer.from(files[SHARD])));
});

test('a server that ignores Range still ends with the right file', async () => {
  hub.dropNext(`${REPO}/${SHARD}`, 100 * 1024);
  hub.ignoreRange = true;
  const res = await downloadRepo(req(), fast);
  assert.ok(fs.readFileSync(path.join(res.path, SHARD)).equals(Buffer.from(files[SHARD])));
});

test('a corrupt partial file fails the sha256 check and is fetched again', async () => {
  hub.dropNext(`${REPO}/${SHARD}`, 100 * 1024);
  await assert.rejects(downloadRepo(req(), { ...fast, retries: 0 }));
  fs.writeFileSync(partOf(SHARD), Buffer.alloc(100 * 1024, 0x55));
  const res = await downloadRepo(req(), fast);
  assert.ok(fs.readFileSync(path.join(res.path, SHARD)).equals(Buffer.from(files[SHARD])));
});

test('cancelling while a resumed part is being checked stops before any file request', async () => {
  hub.dropNext(`${REPO}/${SHARD}`, 300 * 1024);
  await assert.rejects(downloadRepo(req(), { ...fast, retries: 0 }));
  hub.requests.length = 0;
  const controller = new AbortController();
  const r = req({ signal: controller.signal, onProgress: (p) => p.stage === 'Verifying' && controller.abort() });
  await assert.rejects(downloadRepo(r, fast), { code: 'CANCELLED' });
  assert.equal(hub.cdnRequests().filter((q) => q.path.endsWith(SHARD)).length, 0);
});

test('a new commit reuses the blobs that did not change: only changed files are fetched', async () => {
  await downloadRepo(req(), fast);
  const before = hub.sha;
  const old = files['tokenizer_config.json'];
  hub.sha = 'b'.repeat(40);
  files['tokenizer_config.json'] = '{"chat_template":"{{ fixed }}"}';
  try {
    hub.requests.length = 0;
    hub.bytesSent.clear();
    const res = await downloadRepo(req({ update: true }), fast);
    assert.equal(res.revision, hub.sha);
    assert.deepEqual([...hub.bytesSent.keys()], [`${REPO}/tokenizer_config.json`]);
    assert.equal(fs.readFileSync(path.join(res.path, 'tokenizer_config.json'), 'utf8'), files['tokenizer_config.json']);
    assert.equal(fs.readFileSync(path.join(cacheRepoDir(cache, REPO), 'refs', 'main'), 'utf8'), hub.sha);
    // The older snapshot stays whole: other tools may be using it.
    assert.equal(fs.readFileSync(path.join(cacheRepoDir(cache, REPO), 'snapshots', before, 'tokenizer_config.json'), 'utf8'), old);
  } finally {
    hub.sha = before;
    files['tokenizer_config.json'] = old;
  }
});

test('one writer per repo: a live process holding it is named; a stale lock is taken over', async () => {
  const lockDir = path.join(cache, '.locks', 'models--acme--tiny-chat');
  fs.mkdirSync(lockDir, { recursive: true });
  const lock = path.join(lockDir, '.hone-download.lock');
  fs.writeFileSync(lock, String(process.ppid));
  await assert.rejects(downloadRepo(req(), fast), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'BAD_REQUEST');
    assert.match(e.message, new RegExp(`Another Hone process \\(pid ${process.ppid}\\) is downloading`));
    return true;
  });
  fs.writeFileSync(lock, '2147483646');
  await downloadRepo(req(), fast);
  assert.ok(!fs.existsSync(lock), 'released when done');
});

test('sizes and hashes missing from the listing are read with HEAD (X-Linked-Size/Etag before the CDN redirect)', async () => {
  hub.listSizes = false;
  try {
    const r = req();
    const res = await downloadRepo(r, fast);
    assert.equal(res.sizeBytes, totalBytes);
    assert.equal(hub.requests.filter((q) => q.method === 'HEAD').length, WANTED.length);
    assert.equal(hub.cdnRequests().filter((q) => q.method === 'HEAD').length, 0, 'HEAD stops at the redirect');
    // Blobs are named by the Hub's ETag, as huggingface_hub names them.
    for (const f of WANTED) assert.match(path.basename(fs.readlinkSync(path.join(res.path, f))), /^[0-9a-f]{40}$|^[0-9a-f]{64}$/);
    assertMonotonic(r.events, totalBytes);
  } finally {
    hub.listSizes = true;
  }
});

test('a gated repo without a token: a clear message, and no file is requested', async () => {
  await assert.rejects(downloadRepo(req({ repo: GATED }), fast), (e: Error & { code?: string; hint?: string }) => {
    assert.equal(e.code, 'GATED_MODEL');
    assert.match(e.message, /gated/);
    assert.match(e.hint ?? '', new RegExp(`Accept the licence on ${hub.url}/${GATED}.*access token`));
    return true;
  });
  assert.equal(hub.fileRequests().length, 0);
});

test('refuses to start when the disk lacks room for what is left (+10%), saying how much is needed', async () => {
  await assert.rejects(downloadRepo(req(), { ...fast, freeBytes: async () => 1000 }), (e: Error & { code?: string; hint?: string }) => {
    assert.equal(e.code, 'DISK_FULL');
    assert.match(e.message, /needs 1\.\d MB more .*10% margin.*only 1000 B is free/);
    assert.match(e.hint ?? '', /Free at least/);
    return true;
  });
  // Only the shard index (read to know which weights to take) was fetched.
  assert.deepEqual(hub.fileRequests().map((q) => path.basename(q.path)), ['model.safetensors.index.json']);
  // Room for exactly what remains plus the margin is enough.
  await downloadRepo(req(), { ...fast, freeBytes: async () => Math.ceil(totalBytes * 1.1) });
});

test('an unknown repo and an unreachable Hub get their own messages', async () => {
  await assert.rejects(downloadRepo(req({ repo: 'acme/nope' }), fast), { code: 'MODEL_NOT_FOUND' });
  const closed = await new FakeHub({}).start();
  const endpoint = closed.url;
  await closed.close();
  await assert.rejects(downloadRepo(req({ endpoint }), { ...fast, retries: 1 }), (e: Error & { code?: string; hint?: string }) => {
    assert.equal(e.code, 'NO_NETWORK');
    assert.match(e.message, /Could not reach the Hugging Face Hub/);
    assert.match(e.hint ?? '', /local model folder .* works offline/);
    return true;
  });
});

test('a plain folder target (no cache) gets the files themselves and a marker, as before', async () => {
  const r = req({ target: undefined });
  const res = await downloadRepo(r, fast);
  const dir = repoDir(dataDir, REPO);
  assert.equal(res.path, dir);
  assert.deepEqual(fs.readdirSync(dir).filter((f) => !f.startsWith('.')).sort(), WANTED);
  for (const f of WANTED) assert.ok(!fs.lstatSync(path.join(dir, f)).isSymbolicLink());
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, COMPLETE_MARKER), 'utf8')).revision, hub.sha);
  hub.requests.length = 0;
  assert.equal((await downloadRepo(req({ target: undefined }), fast)).alreadyComplete, true);
  assert.equal(hub.requests.length, 0);
});

test('parts of an older revision in a plain folder are thrown away, not resumed into the new one', async () => {
  hub.dropNext(`${REPO}/${SHARD}`, 100 * 1024);
  await assert.rejects(downloadRepo(req({ target: undefined }), { ...fast, retries: 0 }));
  const before = hub.sha;
  hub.sha = 'b'.repeat(40);
  try {
    hub.requests.length = 0;
    await downloadRepo(req({ target: undefined }), fast);
    assert.ok(hub.fileRequests().every((q) => q.range === null), 'nothing resumed across revisions');
    assert.equal(JSON.parse(fs.readFileSync(path.join(repoDir(dataDir, REPO), COMPLETE_MARKER), 'utf8')).revision, hub.sha);
  } finally {
    hub.sha = before;
  }
});
