/**
 * Dataset validation speed and memory: generates a JSONL of messages rows (1 GB by default) in a temp folder,
 * then, each in its own process so peak memory is its own:
 *   baseline  counting newlines over the same file with the same stream settings (the floor for any reader)
 *   reader    the same JSONL reader validation uses (UTF-8 check, split, JSON.parse), records counted only
 *   validate  the real scan: UTF-8 check, JSON.parse, format detection, normalisation, every check,
 *             token estimate, duplicate table, statistics
 * and prints rows/s, MB/s, peak RSS (sampled every 20 ms and the kernel's max RSS) and the ratio.
 * Targets (issue 4): 100k rows/s or better, peak memory under 300 MB whatever the size.
 *   npx tsx bench/datasets-validate.ts [sizeMB=1024] [--model <folder|family>] [--keep]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { scanDataset } from '../electron/core/datasets/scan';
import { jsonlBatches } from '../electron/core/datasets/readers/jsonl';
import { resolveModel } from '../electron/core/datasets/model';
import { prng } from '../electron/core/datasets/split';
import { REPO_ROOT } from '../electron/core/paths';

const WORDS = 'the a model data train token answer question river mountain capital city learn small large fast slow why how what when where because often never always value number letter word'.split(' ');

async function generate(file: string, bytes: number): Promise<number> {
  const out = fs.createWriteStream(file);
  const rand = prng(1234);
  const text = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
  let written = 0;
  let rows = 0;
  let buf = '';
  while (written < bytes) {
    const turns = [{ role: 'user', content: `${rows}: ${text(5 + Math.floor(rand() * 40))}?` }, { role: 'assistant', content: text(10 + Math.floor(rand() * 80)) }];
    const line = JSON.stringify(rand() < 0.3 ? { messages: [{ role: 'system', content: 'You are helpful.' }, ...turns] } : { messages: turns }) + '\n';
    buf += line;
    written += Buffer.byteLength(line);
    rows++;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  return rows;
}

/** Runs in a child: one measured pass, printed as JSON. */
async function child(mode: string, file: string, model: string | undefined): Promise<void> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let rows = 0;
  if (mode === 'baseline') {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
    }
  } else if (mode === 'reader') {
    for await (const batch of jsonlBatches(file)) rows += batch.length;
  } else {
    const template = model ? resolveModel(model, path.join(REPO_ROOT, 'resources')) : undefined;
    const report = await scanDataset({ path: file, template, maxSeqLength: 2048 });
    rows = report.rowsRead;
    if (report.badRows) throw new Error(`unexpected bad rows: ${JSON.stringify(report.issues.slice(0, 3))}`);
    process.stderr.write(`  stats: ${JSON.stringify({ ...report.stats, histogram: undefined })}\n`);
  }
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(timer);
  process.stdout.write(JSON.stringify({ rows, secs, cpuSecs: (cpu.user + cpu.system) / 1e6, peakRss: Math.max(peak, process.resourceUsage().maxRSS * 1024) }));
}

interface Measure {
  rows: number;
  secs: number;
  /** CPU time of the process: on a shared machine, wall time also counts waiting for a core. */
  cpuSecs: number;
  peakRss: number;
}

function measure(mode: string, file: string, model?: string): Measure {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', mode, file, ...(model ? [model] : [])], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${mode} failed (${r.status})`);
  return JSON.parse(r.stdout);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], args[2], args[3]);
  const sizeMb = Number(args.find((a) => /^\d+$/.test(a)) ?? 1024);
  const mi = args.indexOf('--model');
  const model = mi >= 0 ? args[mi + 1] : undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-bench-ds-'));
  const file = path.join(dir, 'bench.jsonl');
  try {
    let t = performance.now();
    const rows = await generate(file, sizeMb * 1024 * 1024);
    const size = fs.statSync(file).size;
    console.log(`generated ${rows.toLocaleString()} rows, ${(size / 1e6).toFixed(0)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s (${file})`);
    t = performance.now();
    spawnSync('wc', ['-l', file], { stdio: 'ignore' });
    const wc = (performance.now() - t) / 1000;
    const base = measure('baseline', file);
    const reader = measure('reader', file);
    const val = measure('validate', file, model);
    const mb = (x: number) => `${(x / 1024 / 1024).toFixed(0)} MB`;
    const line = (name: string, m: Measure) =>
      `${name.padEnd(28)} ${m.secs.toFixed(2).padStart(7)} s (cpu ${m.cpuSecs.toFixed(2)} s)  ${Math.round(m.rows / m.secs).toLocaleString().padStart(11)} rows/s  ${(size / 1e6 / m.secs).toFixed(0).padStart(5)} MB/s  peak RSS ${mb(m.peakRss)}`;
    console.log(`wc -l                        ${wc.toFixed(2).padStart(7)} s`);
    console.log(line('baseline (newline count)', base));
    console.log(line('reader only (JSON.parse)', reader));
    console.log(line(`validate + stats${model ? ` (${model})` : ''}`, val));
    console.log(`ratios, validate against: newline count ${(val.secs / base.secs).toFixed(1)}x (cpu ${(val.cpuSecs / base.cpuSecs).toFixed(1)}x), reader only ${(val.secs / reader.secs).toFixed(1)}x (cpu ${(val.cpuSecs / reader.cpuSecs).toFixed(1)}x), wc -l ${(val.secs / wc).toFixed(1)}x`);
    const cpuRps = val.rows / val.cpuSecs;
    console.log(`validate per CPU second: ${Math.round(cpuRps).toLocaleString()} rows/s (what a core to itself gives)`);
    console.log(`load average while it ran: ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
    const rps = val.rows / val.secs;
    const ok = (b: boolean) => (b ? 'OK' : 'MISSED');
    console.log(
      `targets: 100k rows/s ${ok(rps >= 100_000)} in wall time (${Math.round(rps).toLocaleString()}), ${ok(cpuRps >= 100_000)} per CPU second (${Math.round(cpuRps).toLocaleString()}); ` +
        `peak under 300 MB ${ok(val.peakRss < 300 * 1024 * 1024)} (${mb(val.peakRss)}, of which ${mb(base.peakRss)} is the bare Node + tsx process)`,
    );
  } finally {
    if (!args.includes('--keep')) fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
