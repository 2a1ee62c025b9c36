// Downloads against a local stand-in for the Hugging Face Hub (test/fake-hub.ts): the real downloader,
// real HTTP, real files; only the Hub itself is imitated, because it cannot be reached from here.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Progress } from '../../shared/types/progress';
import { downloadRepo, COMPLETE_MARKER, type DownloadDeps, type DownloadRequest } from './downloader';
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
  dirs.push(dataDir);
  hub.requests.length = 0;
  hub.bytesSent.clear();
  hub.ignoreRange = false;
  hub.listSizes = true;
});

function req(over: Partial<DownloadRequest> = {}): DownloadRequest & { events: Progress[] } {
  const events: Progress[] = [];
  return { repo: REPO, dataDir, endpoint: hub.url, token: null, onProgress: (p) => events.push(p), events, ...over };
}

function assertMonotonic(events: Progress[], total: number): void {
  assert.ok(events.length >= 3, `expected several progress events, got ${events.length}`);
  for (let i = 1; i < events.length; i++) assert.ok(events[i].done >= events[i - 1].done, `progress went back at event ${i}`);
  for (const e of events) assert.equal(e.total, total);
  assert.equal(events.at(-1)!.done, total);
  assert.equal(events.at(-1)!.unit, 'bytes');
}

test('downloads the files a training needs, verified and in place, with monotonic byte progress', async () => {
  const r = req();
  const res = await downloadRepo(r, fast);
  const dir = repoDir(dataDir, REPO);
  assert.equal(res.path, dir);
  assert.equal(res.alreadyComplete, false);
  assert.equal(res.sizeBytes, totalBytes);
  const onDisk = fs.readdirSync(dir).filter((f) => !f.startsWith('.')).sort();
  // No .bin / consolidated / .pth / .onnx / README when transformers' safetensors shards exist.
  assert.deepEqual(onDisk, WANTED);
  for (const f of WANTED) assert.ok(fs.readFileSync(path.join(dir, f)).equals(Buffer.from(files[f])), `${f} differs`);
  assert.ok(fs.existsSync(path.join(dir, COMPLETE_MARKER)));
  assertMonotonic(r.events, totalBytes);
  // Files are fetched at the listed commit, so a repo updated mid-download cannot mix revisions.
  assert.ok(hub.fileRequests().every((q) => q.path.startsWith('/cdn/') || q.path.includes(`/resolve/${hub.sha}/`)));
});

test('a second call returns at once, without asking the Hub anything', async () => {
  await downloadRepo(req(), fast);
  hub.requests.length = 0;
  const again = await downloadRepo(req(), fast);
  assert.equal(again.alreadyComplete, true);
  assert.equal(again.sizeBytes, totalBytes);
  assert.equal(hub.requests.length, 0);
});

test('a dropped connection resumes with Range inside the same call: no byte is fetched twice', async () => {
  const cut = 200 * 1024;
  hub.dropNext(`${REPO}/${SHARD}`, cut);
  const r = req();
  await downloadRepo(r, fast);
  const size = Buffer.from(files[SHARD]).length;
  const ranged = hub.fileRequests().filter((q) => q.path.startsWith('/cdn/') && q.path.endsWith(SHARD) && q.range);
  assert.equal(ranged.length, 1);
  assert.equal(ranged[0].status, 206);
  // The resume starts at the bytes that reached the disk; only bytes still in flight when the
  // connection died (none, usually) are sent again.
  const written = Number(/^bytes=(\d+)-$/.exec(ranged[0].range ?? '')?.[1]);
  assert.ok(written > 0 && written <= cut, `resumed at ${written}`);
  assert.equal(hub.sent(`${REPO}/${SHARD}`), cut + (size - written), 'nothing that was written is fetched again');
  assert.ok(fs.readFileSync(path.join(repoDir(dataDir, REPO), SHARD)).equals(Buffer.from(files[SHARD])));
  assertMonotonic(r.events, totalBytes);
});

test('after a failed download, the next call resumes from the .part file', async () => {
  const cut = 300 * 1024;
  hub.dropNext(`${REPO}/${SHARD}`, cut);
  await assert.rejects(downloadRepo(req(), { ...fast, retries: 0 }), (e: Error & { code?: string; hint?: string }) => {
    assert.equal(e.code, 'NO_NETWORK');
    assert.match(e.message, /Lost the connection/);
    assert.match(e.hint ?? '', /resumes where it stopped/);
    return true;
  });
  const part = path.join(repoDir(dataDir, REPO), `${SHARD}.part`);
  const written = fs.statSync(part).size;
  assert.ok(written > 0 && written <= cut, `kept ${written} bytes`);
  assert.ok(!fs.existsSync(path.join(repoDir(dataDir, REPO), COMPLETE_MARKER)));

  hub.requests.length = 0;
  const r = req();
  await downloadRepo(r, fast);
  const resumed = hub.fileRequests().filter((q) => q.path.startsWith('/cdn/') && q.path.endsWith(SHARD));
  assert.deepEqual(resumed.map((q) => [q.range, q.status]), [[`bytes=${written}-`, 206]]);
  assert.equal(hub.sent(`${REPO}/${SHARD}`), cut + Buffer.from(files[SHARD]).length - written, 'nothing already on disk is fetched again');
  assert.ok(r.events[0].done >= written, 'progress starts from the bytes already on disk');
  assert.ok(fs.readFileSync(path.join(repoDir(dataDir, REPO), SHARD)).equals(Buffer.from(files[SHARD])));
});

test('a server that ignores Range still ends with the right file', async () => {
  hub.dropNext(`${REPO}/${SHARD}`, 100 * 1024);
  hub.ignoreRange = true;
  await downloadRepo(req(), fast);
  assert.ok(fs.readFileSync(path.join(repoDir(dataDir, REPO), SHARD)).equals(Buffer.from(files[SHARD])));
});

test('a corrupt partial file fails the sha256 check and is fetched again', async () => {
  hub.dropNext(`${REPO}/${SHARD}`, 100 * 1024);
  await assert.rejects(downloadRepo(req(), { ...fast, retries: 0 }));
  const part = path.join(repoDir(dataDir, REPO), `${SHARD}.part`);
  fs.writeFileSync(part, Buffer.alloc(100 * 1024, 0x55));
  await downloadRepo(req(), fast);
  assert.ok(fs.readFileSync(path.join(repoDir(dataDir, REPO), SHARD)).equals(Buffer.from(files[SHARD])));
});

test('parts of an older revision are thrown away, not resumed into the new one', async () => {
  hub.dropNext(`${REPO}/${SHARD}`, 100 * 1024);
  await assert.rejects(downloadRepo(req(), { ...fast, retries: 0 }));
  const before = hub.sha;
  hub.sha = 'b'.repeat(40);
  try {
    hub.requests.length = 0;
    await downloadRepo(req(), fast);
    assert.ok(hub.fileRequests().every((q) => q.range === null), 'nothing resumed across revisions');
    assert.equal(JSON.parse(fs.readFileSync(path.join(repoDir(dataDir, REPO), COMPLETE_MARKER), 'utf8')).revision, hub.sha);
  } finally {
    hub.sha = before;
  }
});

test('one writer per repo folder: a live process holding it is named; a stale lock is taken over', async () => {
  const dir = repoDir(dataDir, REPO);
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, '.hone-download.lock');
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

test('sizes missing from the listing are read with HEAD (X-Linked-Size before the CDN redirect)', async () => {
  hub.listSizes = false;
  try {
    const r = req();
    const res = await downloadRepo(r, fast);
    assert.equal(res.sizeBytes, totalBytes);
    assert.equal(hub.requests.filter((q) => q.method === 'HEAD').length, WANTED.length);
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

test('a gated repo with a token lacking access says so; with a good token it downloads, sending the token', async () => {
  await assert.rejects(downloadRepo(req({ repo: GATED, token: 'hf_notallowed1' }), fast), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'GATED_MODEL');
    assert.match(e.message, /no access/);
    return true;
  });
  const res = await downloadRepo(req({ repo: GATED, token: 'hf_goodtoken123' }), fast);
  assert.equal(res.sizeBytes, totalBytes);
  assert.ok(hub.fileRequests().some((q) => q.auth === 'Bearer hf_goodtoken123'));
});

test('refuses to start when the disk lacks room for what is left (+10%), saying how much is needed', async () => {
  await assert.rejects(downloadRepo(req(), { ...fast, freeBytes: async () => 1000 }), (e: Error & { code?: string; hint?: string }) => {
    assert.equal(e.code, 'DISK_FULL');
    assert.match(e.message, /needs 1\.\d MB more .*10% margin.*only 1000 B is free/);
    assert.match(e.hint ?? '', /Free at least/);
    return true;
  });
  assert.equal(hub.fileRequests().length, 0);
  // Room for exactly what remains plus the margin is enough.
  await downloadRepo(req(), { ...fast, freeBytes: async () => Math.ceil(totalBytes * 1.1) });
});

test('an unknown repo and an unreachable Hub get their own messages', async () => {
  await assert.rejects(downloadRepo(req({ repo: 'acme/nope' }), fast), { code: 'MODEL_NOT_FOUND' });
  const closed = await new FakeHub({}).start();
  const endpoint = closed.url;
  await closed.close();
  await assert.rejects(downloadRepo(req({ endpoint }), fast), (e: Error & { code?: string; hint?: string }) => {
    assert.equal(e.code, 'NO_NETWORK');
    assert.match(e.message, /Could not reach the Hugging Face Hub/);
    assert.match(e.hint ?? '', /local model folder .* works offline/);
    return true;
  });
});
