/**
 * `hone train` and `hone setup` as a user runs them: a real child process, the real sidecar, the tiny random
 * model as a local folder (fast; the SmolLM2 demo is trained in the acceptance tests), Ctrl-C (SIGINT) stopping gracefully and --resume continuing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT } from '../../paths';
import { sharedTinyModel } from '../../ollama/integration/fixtures';
import { forEachLine } from '../../runtime/exec';
import { testPython, tmpDir } from '../../runtime/integration/fixtures';

const SAMPLES = path.join(REPO_ROOT, 'resources', 'samples');
const dataDir = tmpDir('cli-data');
let python = '';
let tiny = '';

before(async () => {
  python = await testPython();
  process.env.HONE_PYTHON ||= python;
  tiny = sharedTinyModel();
});
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

interface Hone {
  code: Promise<number>;
  stdout: string[];
  stderr: string[];
  child: ReturnType<typeof spawn>;
  /** Resolves with the first stdout line matching. */
  waitFor(match: RegExp): Promise<string>;
}

function hone(args: string[], env: NodeJS.ProcessEnv = {}): Hone {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'electron', 'cli', 'bin.mjs'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, HONE_DATA_DIR: dataDir, HONE_PYTHON: python, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: { match: RegExp; resolve(line: string): void }[] = [];
  forEachLine(child.stdout!, (line) => {
    stdout.push(line);
    for (const w of waiters.filter((w) => w.match.test(line))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(line);
    }
  });
  forEachLine(child.stderr!, (line) => stderr.push(line));
  const code = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  return { code, stdout, stderr, child, waitFor: (match) => new Promise((resolve) => waiters.push({ match, resolve })) };
}

test('hone train trains a model folder on the sample, exits 0 and prints the output folder', { timeout: 10 * 60_000 }, async () => {
  const run = hone(['train', '--model', tiny, '--data', path.join(SAMPLES, 'sft-sample.jsonl'), '--max-steps', '3']);
  const code = await run.code;
  assert.equal(code, 0, [...run.stdout, ...run.stderr].join('\n'));
  assert.ok(run.stdout.some((l) => /^step 3\/3 {2}loss \d/.test(l)), run.stdout.join('\n'));
  const out = run.stdout.at(-1)!.match(/^Output: (.+)$/)?.[1];
  assert.ok(out, `last line names the output folder: ${run.stdout.at(-1)}`);
  assert.ok(fs.existsSync(path.join(out, 'adapter', 'adapter_config.json')));
});

test('Ctrl-C stops after the step and saves; --resume continues from there (JSON output)', { timeout: 10 * 60_000 }, async () => {
  const out = path.join(dataDir, 'dpo-run');
  const args = ['train', '--model', tiny, '--data', path.join(SAMPLES, 'dpo-sample.jsonl'), '--max-steps', '40', '--out', out, '--json'];
  const first = hone(args);
  await first.waitFor(/"type":"metrics","seq":\d+,"ts":"[^"]+","step":2\b/);
  first.child.kill('SIGINT');
  assert.equal(await first.code, 1, 'a stopped run is not a finished one');
  const events = first.stdout.map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });
  const result = events.at(-1)!;
  assert.equal(result.type, 'result');
  assert.equal(result.stopped, true);
  assert.equal(result.output_dir, out);
  const stoppedAt = result.final_step as number;
  assert.ok(stoppedAt >= 2 && stoppedAt < 40);
  assert.ok(events.some((e) => e.type === 'metrics' && 'rewards/margins' in e), 'DPO was picked from the data');
  assert.ok(first.stderr.some((l) => /Stopping after the current step/.test(l)));

  const resumed = hone([...args.slice(0, 5), '--max-steps', String(stoppedAt + 2), '--out', out, '--json', '--resume']);
  assert.equal(await resumed.code, 0, resumed.stderr.join('\n'));
  const steps = resumed.stdout.map((l) => JSON.parse(l) as { type: string; step?: number }).filter((e) => e.type === 'metrics').map((e) => e.step);
  assert.deepEqual(steps, [stoppedAt + 1, stoppedAt + 2]);
});

test('bad arguments exit 2, unusable input exits 1 with what to do', async () => {
  const usage = hone(['train', '--model', tiny]);
  assert.equal(await usage.code, 2);
  assert.match(usage.stderr.join('\n'), /--model and --data are required/);
  const wrongMethod = hone(['train', '--model', tiny, '--data', path.join(SAMPLES, 'sft-sample.jsonl'), '--method', 'dpo']);
  assert.equal(await wrongMethod.code, 1);
  assert.match(wrongMethod.stderr.join('\n'), /DPO needs preference pairs[\s\S]*--method sft/);
  const noModel = hone(['train', '--model', path.join(dataDir, 'no-such-folder'), '--data', path.join(SAMPLES, 'sft-sample.jsonl'), '--json']);
  assert.equal(await noModel.code, 1);
  assert.equal((JSON.parse(noModel.stdout[0]) as { error: { code: string } }).error.code, 'MODEL_NOT_FOUND');
});

test('hone setup checks a chosen Python: ready with its path, or each problem listed', { timeout: 5 * 60_000 }, async () => {
  const ok = hone(['setup', '--json']);
  assert.equal(await ok.code, 0, ok.stderr.join('\n'));
  const status = JSON.parse(ok.stdout.at(-1)!) as { type: string; state: string; python: string };
  assert.deepEqual([status.type, status.state, status.python], ['status', 'ready', python]);
  if (fs.existsSync('/usr/bin/python3')) {
    const bad = hone(['setup'], { HONE_PYTHON: '/usr/bin/python3' });
    assert.equal(await bad.code, 1);
    assert.match(bad.stderr.join('\n'), /torch is not installed/);
  }
});

test('hone train --processes 2 on a machine without a GPU: two gloo processes, rank 0 reports, the summary says 2', { timeout: 10 * 60_000 }, async () => {
  const run = hone(['train', '--model', tiny, '--data', path.join(SAMPLES, 'sft-sample.jsonl'), '--max-steps', '3', '--processes', '2']);
  const code = await run.code;
  const all = [...run.stdout, ...run.stderr].join('\n');
  assert.equal(code, 0, all);
  assert.ok(run.stdout.some((l) => /^Strategy: 2 CPU processes, data parallel \(DDP over gloo\)/.test(l)), all);
  assert.ok(run.stdout.some((l) => /^Sidecar ready: plain backend on cpu .*, 2 processes: rank 0 on cpu, rank 1 on cpu$/.test(l)), all);
  assert.deepEqual(run.stdout.filter((l) => /^step \d\/3/.test(l)).length, 3, 'one line per step: only rank 0 speaks');
  const out = run.stdout.at(-1)!.match(/^Output: (.+)$/)![1];
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as { processes: number; distributed: { strategy: string; backend: string } };
  assert.deepEqual([summary.processes, summary.distributed.strategy, summary.distributed.backend], [2, 'ddp', 'gloo']);
  assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'accelerate.json'), 'utf8')).num_processes, 2);
});

test('hone train --nodes 2 --print-launch writes each machine\'s config and command, and starts nothing', { timeout: 5 * 60_000 }, async () => {
  const out = path.join(dataDir, 'two-machines');
  const run = hone(['train', '--model', tiny, '--data', path.join(SAMPLES, 'sft-sample.jsonl'), '--max-steps', '3', '--processes', '2', '--nodes', '2', '--print-launch', '--main-ip', '10.1.2.3', '--out', out]);
  const code = await run.code;
  const all = [...run.stdout, ...run.stderr].join('\n');
  assert.equal(code, 0, all);
  assert.match(all, /Hone does not start these/);
  for (const rank of [0, 1]) {
    const config = JSON.parse(fs.readFileSync(path.join(out, 'launch', `accelerate-node${rank}.json`), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([config.machine_rank, config.num_machines, config.num_processes, config.main_process_ip], [rank, 2, 4, '10.1.2.3']);
    assert.ok(run.stdout.some((l) => l.includes(`--config_file ${path.join(out, 'launch', `accelerate-node${rank}.json`)} --num_cpu_threads_per_process 1 --module hone_sidecar --config ${path.join(out, 'launch', 'run.json')}`)), all);
  }
  assert.ok(!fs.existsSync(path.join(out, 'checkpoints')), 'nothing trained');
  const bad = hone(['train', '--model', tiny, '--data', path.join(SAMPLES, 'sft-sample.jsonl'), '--nodes', '2']);
  assert.equal(await bad.code, 2);
  assert.match(bad.stderr.join('\n'), /--nodes runs on several machines, which Hone does not start: add --print-launch/);
});
