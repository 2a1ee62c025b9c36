/**
 * Hub downloads: 4 files at a time against 1 at a time (the old way), over the stand-in Hub with each
 * connection paced, as a CDN caps a single stream. Both sides hash while streaming; the old way also read
 * every finished file again to hash it, which this bench adds back for the baseline (one extra read per file).
 * Prints wall time for each and the ratio.
 *
 *   npx tsx bench/hub-download.ts [--shards 8] [--shard-mb 8] [--chunk-delay-ms 2]
 *
 * The pace: a 64 KB chunk every --chunk-delay-ms per connection (2 ms: ~32 MB/s per stream).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { downloadRepo } from '../electron/core/models/downloader';
import { hubFetch } from '../electron/core/models/http';
import { FakeHub } from '../electron/core/models/test/fake-hub';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const shards = arg('shards', 8);
const shardMb = arg('shard-mb', 8);
const files: Record<string, Buffer | string> = { 'config.json': '{"architectures":["LlamaForCausalLM"]}', 'tokenizer.json': '{}' };
const names = Array.from({ length: shards }, (_, i) => `model-${String(i + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`);
for (const [i, n] of names.entries()) files[n] = Buffer.alloc(shardMb * 1024 * 1024, i + 1);
files['model.safetensors.index.json'] = JSON.stringify({ weight_map: Object.fromEntries(names.map((n, i) => [`w${i}`, n])) });

const hub = await new FakeHub({ 'bench/model': { files } }).start();
hub.gzip = false;
hub.chunkDelayMs = arg('chunk-delay-ms', 2);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-bench-dl-'));
const fetch = hubFetch({}, {});

async function run(label: string, concurrency: number, rehash: boolean): Promise<number> {
  const dir = path.join(root, label);
  const t0 = performance.now();
  const res = await downloadRepo({ repo: 'bench/model', dataDir: root, endpoint: hub.url, token: null, target: { kind: 'cache', dir }, env: {} }, { concurrency, fetch, freeBytes: async () => null });
  if (rehash) {
    // What the sequential downloader did after each file: read it back to hash it.
    for (const n of names) {
      const h = createHash('sha256');
      for await (const c of fs.createReadStream(path.join(res.path, n))) h.update(c as Buffer);
      h.digest();
    }
  }
  const ms = performance.now() - t0;
  console.log(`${label.padEnd(34)} ${(ms / 1000).toFixed(2)} s  (${((shards * shardMb) / (ms / 1000)).toFixed(1)} MB/s)`);
  return ms;
}

try {
  console.log(`${shards} shards x ${shardMb} MB, one 64 KB chunk per ${hub.chunkDelayMs} ms per connection`);
  const base = await run('1 file at a time + re-read to hash', 1, true);
  const now = await run('4 at a time, hashed while streaming', 4, false);
  console.log(`ratio: ${(base / now).toFixed(2)}x faster`);
} finally {
  await hub.close();
  fs.rmSync(root, { recursive: true, force: true });
}
