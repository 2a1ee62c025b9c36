/**
 * Chart benchmark: the run dashboard's loss chart (renderer/src/components/charts/MetricChart.tsx, recharts)
 * in Debian's Chromium with 1k, 10k and 100k points, with LTTB downsampling to the chart's width and
 * without it (the baseline), in the same command. Each frame appends a point, as live training does, and
 * re-renders; we report the median synchronous render + layout time and the median interval between
 * animation frames (which includes paint).
 *
 *   npx tsx bench/charts.ts [--frames 20]
 * Target: at 100k points, still under 33 ms a frame.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import { REPO_ROOT } from '../electron/core/paths';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../e2e/support/app';
import { parseArgs, numberFlag } from '../electron/cli/args';

const FRAMES = numberFlag(parseArgs(process.argv.slice(2), { string: ['frames'] }), 'frames') ?? 30;
// This machine is shared: each case runs ROUNDS times and the middle round is reported.
const ROUNDS = 3;
const SIZES = (process.env.HONE_BENCH_SIZES ?? "1000,10000,100000").split(",").map(Number);

// Plain JS so the page needs no JSX transform of its own; it imports the real component.
const ENTRY = `
import { createElement as h } from 'react';
import { createRoot } from 'react-dom/client';
import { flushSync } from 'react-dom';
import { MetricChart } from ${JSON.stringify(path.join(REPO_ROOT, 'renderer', 'src', 'components', 'charts', 'MetricChart.tsx'))};
const root = createRoot(document.getElementById('root'));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
window.bench = async (n, downsample, frames) => {
  const total = n + frames;
  const steps = new Float64Array(total), values = new Float64Array(total);
  let seed = 7;
  for (let i = 0; i < total; i++) { seed = (seed * 16807) % 2147483647; steps[i] = i + 1; values[i] = 3 * Math.exp(-i / (n / 3)) + 0.3 + 0.2 * (seed / 2147483647); }
  let len = n;
  const render = () => root.render(h('div', { style: { width: '900px' } }, h(MetricChart, {
    title: 'Loss', testId: 'chart', height: 260, version: len, downsample,
    lines: [{ key: 'loss', label: 'train loss', color: '#3b5bdb', series: { steps: steps.subarray(0, len), values: values.subarray(0, len) } }],
  })));
  const t0 = performance.now();
  flushSync(render);
  document.body.getBoundingClientRect();
  const mountMs = performance.now() - t0;
  // Let the ResizeObserver report the real width before measuring steady updates.
  await new Promise((r) => setTimeout(r, 100));
  const renderTimes = [], frameTimes = [];
  await new Promise((resolve) => {
    let i = 0, last = 0;
    const tick = (now) => {
      if (i > 0) frameTimes.push(now - last);
      last = now;
      if (i === frames) return resolve();
      len++;
      const t = performance.now();
      flushSync(render);
      document.body.getBoundingClientRect();
      renderTimes.push(performance.now() - t);
      i++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const path = document.querySelector('[data-testid="chart"] .recharts-line-curve')?.getAttribute('d') ?? '';
  const drawn = (path.match(/[LM]/g) ?? []).length;
  flushSync(() => root.render(null));
  return { mountMs, renderMs: median(renderTimes), frameMs: median(frameTimes), drawn };
};
window.benchReady = true;
`;

async function buildPage(dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><html><body style="margin:0"><div id="root"></div><script type="module" src="./entry.js"></script></body></html>');
  fs.writeFileSync(path.join(dir, 'entry.js'), ENTRY);
  await build({ configFile: false, root: dir, base: './', plugins: [react()], logLevel: 'error', build: { outDir: path.join(dir, 'dist'), emptyOutDir: true } });
}

function serve(dir: string): Promise<http.Server> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = http.createServer((req, res) => {
    const file = path.join(dir, new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/$/, '/index.html'));
    if (!file.startsWith(dir) || !fs.existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

interface Figures { mountMs: number; renderMs: number; frameMs: number; drawn: number }

// Under node_modules so the page's imports (react, recharts) resolve from the repository.
const work = path.join(REPO_ROOT, 'node_modules', '.cache', 'hone-bench-charts');
await buildPage(work);
const server = await serve(path.join(work, 'dist'));
// Unthrottled frames: the interval between animation frames is then the frame's real cost (script, layout,
// paint) instead of a multiple of the 16.7 ms vsync.
const browser = await chromium.launch({
  executablePath: process.env.HONE_CHROMIUM ?? '/usr/bin/chromium',
  args: [...CHROMIUM_ARGS, '--disable-frame-rate-limit', '--disable-gpu-vsync'],
  headless: true,
});
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 400 } });
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true);
  const once = (n: number, downsample: boolean, frames: number) =>
    page.evaluate(([n, d, f]) => (window as unknown as { bench(n: number, d: boolean, f: number): Promise<Figures> }).bench(n, d, f), [n, downsample, frames] as const);
  const run = async (n: number, downsample: boolean, frames: number): Promise<Figures> => {
    const rounds: Figures[] = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(await once(n, downsample, frames));
    return rounds.sort((a, b) => a.frameMs - b.frameMs)[Math.floor(ROUNDS / 2)];
  };
  // Warm-up: JIT, fonts, recharts' first layout.
  for (let i = 0; i < 3; i++) await once(1_000, i % 2 === 0, 10);
  const fmt = (f: Figures) => `mount ${f.mountMs.toFixed(1).padStart(7)} ms  update ${f.renderMs.toFixed(1).padStart(7)} ms  frame ${f.frameMs.toFixed(1).padStart(7)} ms  (${f.drawn} points drawn)`;
  console.log(`Loss chart in Chromium ${browser.version()}: ${FRAMES} frames per case, each appending a point; median frame, middle of ${ROUNDS} rounds\n`);
  const rows: { n: number; lttb: Figures; full: Figures }[] = [];
  for (const n of SIZES) {
    const lttb = await run(n, true, FRAMES);
    // Without downsampling a 100k-point frame takes seconds: fewer frames keep the bench short.
    const full = await run(n, false, n >= 100_000 ? Math.min(FRAMES, 5) : FRAMES);
    rows.push({ n, lttb, full });
    console.log(`${String(n).padStart(7)} points  LTTB      ${fmt(lttb)}`);
    console.log(`${String(n).padStart(7)} points  all (base) ${fmt(full)}`);
  }
  console.log('\nRatios (without / with downsampling, frame time):');
  for (const r of rows) console.log(`  ${String(r.n).padStart(7)} points: ${(r.full.frameMs / r.lttb.frameMs).toFixed(1)}x faster with LTTB (${r.lttb.frameMs.toFixed(1)} vs ${r.full.frameMs.toFixed(1)} ms)`);
  const big = rows.at(-1)!.lttb;
  console.log(`\nTarget: 100k points under 33 ms a frame: ${big.frameMs < 33 ? 'met' : 'NOT met'} (${big.frameMs.toFixed(1)} ms a frame, ${big.renderMs.toFixed(1)} ms of it render + layout)`);
} finally {
  await browser.close();
  server.close();
}
