/**
 * Send to Ollama's file transfer against `cp`: time and peak memory to hash (SHA-256, one streaming pass) and
 * upload (HEAD, then a streamed POST /api/blobs) a generated safetensors file to a real Ollama server, and to
 * `cp` the same file on the same disk. Prints the ratios. Hashing and uploading run in a child process so its
 * peak RSS is theirs alone (an idle child that loads the same modules is measured as the floor).
 *
 *   npx tsx bench/ollama-upload.ts [--size-mb 2048] [--host 127.0.0.1:11434] [--keep]
 *
 * Without --host (or HONE_TEST_OLLAMA_HOST) it starts its own test server on a throw-away model store.
 * The file is freshly written, so both sides read it from the page cache: the comparison is of the work
 * each does per byte, not of the disk.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { blobExists, hashFile, uploadBlob } from '../electron/core/ollama/blobs';
import { startOllamaForTests } from '../electron/core/ollama/integration/test-server';

const SELF = fileURLToPath(import.meta.url);
const MB = 1024 * 1024;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A safetensors file: 8-byte header length, JSON header, then one U8 tensor of pseudo-random bytes. */
function writeSafetensors(file: string, bytes: number): void {
  const header = JSON.stringify({ __metadata__: { format: 'pt' }, 'bench.weight': { dtype: 'U8', shape: [bytes], data_offsets: [0, bytes] } });
  const padded = header + ' '.repeat((8 - (header.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(padded.length));
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, len);
  fs.writeSync(fd, padded);
  const chunk = Buffer.alloc(16 * MB);
  for (let left = bytes; left > 0; left -= chunk.length) {
    crypto.randomFillSync(chunk);
    fs.writeSync(fd, chunk, 0, Math.min(chunk.length, left));
  }
  fs.closeSync(fd);
}

interface ChildReport {
  hashMs: number;
  uploadMs: number;
  skippedUpload: boolean;
  maxRssKb: number;
}

/** The measured side: runs in its own process. mode "idle" only loads the modules (the RSS floor). */
async function child(mode: string, file: string, host: string): Promise<void> {
  const report: ChildReport = { hashMs: 0, uploadMs: 0, skippedUpload: false, maxRssKb: 0 };
  if (mode === 'send') {
    const base = `http://${host}`;
    let t = performance.now();
    const digest = await hashFile(file);
    report.hashMs = performance.now() - t;
    t = performance.now();
    if (await blobExists(base, digest)) report.skippedUpload = true;
    else await uploadBlob(base, digest, file, () => undefined);
    report.uploadMs = performance.now() - t;
  }
  report.maxRssKb = process.resourceUsage().maxRSS;
  process.stdout.write(JSON.stringify(report));
}

function runChild(mode: string, file: string, host: string): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', SELF, '--child', mode, file, host], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as ChildReport) : reject(new Error(`bench child exited ${code}`))));
  });
}

/** `cp` timed, with its peak RSS from GNU time when the machine has it. */
function timeCp(src: string, dst: string): { ms: number; maxRssKb: number | null } {
  const gnuTime = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  const t = performance.now();
  let maxRssKb: number | null = null;
  if (gnuTime) {
    // GNU time writes %M (peak RSS, KB) on stderr.
    const r = spawnSync(gnuTime, ['-f', '%M', 'cp', src, dst], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cp failed: ${r.stderr}`);
    maxRssKb = Number(r.stderr.trim().split('\n').pop());
  } else execFileSync('cp', [src, dst]);
  return { ms: performance.now() - t, maxRssKb };
}

const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fmtMb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const sizeMb = Number(arg('size-mb') ?? 2048);
  const existing = arg('host') ?? process.env.HONE_TEST_OLLAMA_HOST;
  const server = existing ? null : await startOllamaForTests();
  const host = existing ?? server!.host;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-bench-upload-'));
  try {
    const file = path.join(dir, 'model.safetensors');
    process.stdout.write(`generating ${sizeMb} MB safetensors file in ${dir} …\n`);
    writeSafetensors(file, sizeMb * MB);
    const bytes = fs.statSync(file).size;

    const cp = timeCp(file, path.join(dir, 'copy.safetensors'));
    fs.rmSync(path.join(dir, 'copy.safetensors'));
    const idle = await runChild('idle', file, host);
    const send = await runChild('send', file, host);
    const resend = await runChild('send', file, host);

    const total = send.hashMs + send.uploadMs;
    const rate = (ms: number) => `${((bytes / MB) / (ms / 1000)).toFixed(0)} MB/s`;
    const lines = [
      `file: ${(bytes / MB).toFixed(0)} MB, Ollama at ${host}`,
      `cp (baseline):        ${fmtS(cp.ms)} (${rate(cp.ms)}), peak RSS ${cp.maxRssKb ? fmtMb(cp.maxRssKb) : 'n/a (no /usr/bin/time)'}`,
      `hash (SHA-256):       ${fmtS(send.hashMs)} (${rate(send.hashMs)})`,
      `upload (HEAD + POST): ${fmtS(send.uploadMs)} (${rate(send.uploadMs)})`,
      `hash + upload:        ${fmtS(total)}, peak RSS ${fmtMb(send.maxRssKb)} (node + modules alone: ${fmtMb(idle.maxRssKb)}; so ${fmtMb(Math.max(0, send.maxRssKb - idle.maxRssKb))} for the transfer)`,
      `second send:          ${fmtS(resend.hashMs + resend.uploadMs)} (blob already there: ${resend.skippedUpload ? 'upload skipped' : 'UPLOADED AGAIN'}; the app also caches digests, so it skips the hash too)`,
      `ratio time (hash + upload) / cp: ${(total / cp.ms).toFixed(2)}x`,
      cp.maxRssKb ? `ratio peak RSS (transfer part) / cp: ${(Math.max(1, send.maxRssKb - idle.maxRssKb) / cp.maxRssKb).toFixed(2)}x` : '',
    ];
    process.stdout.write(`${lines.filter(Boolean).join('\n')}\n`);
  } finally {
    if (!process.argv.includes('--keep')) fs.rmSync(dir, { recursive: true, force: true });
    await server?.stop();
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], process.argv[5]);
else await main();
