/**
 * The evaluation end to end on the tiny model (plumbing; behaviour is real-eval.test.ts's job): a run with
 * held-out rows is evaluated by itself after training, with progress; an evaluation stops and keeps the
 * rows it finished; `hone eval --json` (the bin script) prints the stored report's numbers, evaluates a
 * user file in another format, and a run folder Hone's database does not know; bad arguments exit 2.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import type { EvalProgress, EvalRecord } from '../../../shared/types/eval';
import type { Core } from '../../app';
import { REPO_ROOT } from '../../paths';
import { BusLog } from '../../runs/integration/bus';
import { PYTHON, SFT_SAMPLE, inProcessCore, runConfig, tempDataDir } from '../../runs/integration/helpers';

const dataDir = tempDataDir();
const core: Core = inProcessCore(dataDir);
const progress: EvalProgress[] = [];
core.bus.on('eval.progress', (p) => progress.push(p));
after(async () => {
  await core.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// Held-out rows the training never sees: the tail of the sample file.
const evalFile = path.join(dataDir, 'held-out.jsonl');
const lines = fs.readFileSync(SFT_SAMPLE, 'utf8').trim().split('\n');
fs.writeFileSync(evalFile, `${lines.slice(-6).join('\n')}\n`);
fs.writeFileSync(path.join(dataDir, 'train.jsonl'), `${lines.slice(0, -6).join('\n')}\n`);

async function until<T>(get: () => T | null | undefined | false, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}; last progress ${JSON.stringify(progress.slice(-2))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function hone(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'electron', 'cli', 'bin.mjs'), ...args], { cwd: dataDir, env: { ...process.env, HONE_DATA_DIR: dataDir, HONE_PYTHON: PYTHON } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

let runId = '';

test('a run with held-out rows is evaluated by itself when training completes', { timeout: 600_000 }, async () => {
  const bus = new BusLog(core);
  const run = await core.handlers['runs.start']({ config: runConfig({ dataset: path.join(dataDir, 'train.jsonl'), evalDataset: evalFile, maxSteps: 4 }) });
  runId = run.id;
  await bus.waitStatus(run.id, 'completed', 400_000);
  const done = await until(() => progress.find((p) => p.runId === run.id && p.status !== 'running'), 300_000, 'the evaluation to end');
  assert.equal(done.status, 'completed', JSON.stringify(done.error));
  bus.off();
  const rec = (await core.handlers['eval.get']({ runId: run.id }))!;
  assert.equal(rec.trigger, 'auto');
  assert.equal(rec.dataSource, 'eval file');
  assert.equal(rec.report!.n, 6);
  const stages = new Set(progress.filter((p) => p.runId === run.id).map((p) => p.stage));
  for (const s of ['starting', 'loading_model', 'generating', 'scoring']) assert.ok(stages.has(s), `progress stage ${s}`);
  const generating = progress.filter((p) => p.runId === run.id && p.stage === 'generating');
  assert.deepEqual([generating.at(-1)!.done, generating.at(-1)!.total], [12, 12]);
  assert.equal(rec.report!.power!.watts, null);
  assert.match(rec.report!.power!.reason!, /ran on the CPU/);
  // Beside the run's files too.
  assert.ok(fs.existsSync(path.join(rec.report!.models.adapter!, '..', 'eval_report.json')));
});

test('an evaluation stops after the reply in progress and keeps the rows both models finished', { timeout: 300_000 }, async () => {
  assert.ok(runId, 'runs after the first test');
  const started = await core.handlers['eval.start']({ runId, data: SFT_SAMPLE, limit: 200, maxNewTokens: 200 });
  assert.equal(started.status, 'running');
  await assert.rejects(core.handlers['eval.start']({ runId }), /already being evaluated/);
  await until(() => progress.some((p) => p.evalId === started.id && p.stage === 'generating' && p.done >= 3), 200_000, 'three replies');
  assert.deepEqual(await core.handlers['eval.stop']({ runId }), { stopped: true });
  const end = await until(() => progress.find((p) => p.evalId === started.id && p.status !== 'running'), 60_000, 'the stop');
  assert.equal(end.status, 'stopped');
  const rec = (await core.handlers['eval.get']({ runId })) as EvalRecord;
  assert.equal(rec.status, 'stopped');
  assert.equal(rec.dataSource, 'given file');
  assert.ok(rec.report!.n >= 1 && rec.report!.n < 200, `n = ${rec.report!.n}`);
  assert.equal(rec.report!.examples.length, rec.report!.n);
});

test('while another run trains, an evaluation from the app waits for the GPU instead of competing for it', { timeout: 300_000 }, async () => {
  assert.ok(runId, 'runs after the first test');
  const bus = new BusLog(core);
  const other = await core.handlers['runs.start']({ config: runConfig({ dataset: path.join(dataDir, 'train.jsonl'), maxSteps: 200 }) });
  await bus.waitStatus(other.id, 'training', 200_000);
  await assert.rejects(core.handlers['eval.start']({ runId }), (e: { code: string; message: string }) => e.code === 'RUN_BUSY' && e.message.includes(other.id));
  await core.handlers['runs.stop']({ runId: other.id });
  await bus.waitStatus(other.id, 'stopped', 120_000);
  bus.off();
});

test('hone eval --json prints the stored report; a user file in another format and an unknown folder work too', { timeout: 400_000 }, async () => {
  assert.ok(runId, 'runs after the first test');
  const r = await hone(['eval', runId, '--json', '--limit', '3', '--max-new-tokens', '8']);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as Record<string, unknown> & { n: number; base: Record<string, unknown>; tuned: Record<string, unknown>; examples: unknown[]; eval_id: string };
  assert.deepEqual(Object.keys(out).slice(0, 4), ['n', 'base', 'tuned', 'examples']);
  assert.equal(out.n, 3);
  for (const leg of [out.base, out.tuned]) {
    for (const k of ['rouge_l', 'chrf', 'exact_match', 'tokens_per_second']) assert.equal(typeof leg[k], 'number', k);
    assert.equal(leg.json_valid, null, 'the references are not JSON');
    assert.equal(leg.preference_accuracy, null, 'not a DPO run');
  }
  const stored = (await core.handlers['eval.get']({ runId }))!;
  assert.equal(stored.id, out.eval_id);
  assert.equal(stored.trigger, 'cli');
  assert.deepEqual({ n: out.n, base: out.base, tuned: out.tuned, examples: out.examples }, { n: stored.report!.n, base: stored.report!.base, tuned: stored.report!.tuned, examples: stored.report!.examples });

  // Alpaca rows (instruction/output), imported before the evaluation; a folder the database does not know.
  const folder = path.join(dataDir, 'copied-run');
  fs.cpSync(path.dirname(stored.report!.models.adapter!), folder, { recursive: true });
  const alpaca = path.join(REPO_ROOT, 'electron', 'core', 'datasets', 'fixtures', 'alpaca.jsonl');
  const copy = await hone(['eval', folder, '--data', alpaca, '--json', '--max-new-tokens', '8']);
  assert.equal(copy.code, 0, copy.err);
  const c = JSON.parse(copy.out) as { n: number; eval_id: string | null; run: { id: string | null } };
  assert.equal(c.eval_id, null);
  assert.equal(c.run.id, null);
  assert.ok(c.n >= 1);
  assert.equal((JSON.parse(fs.readFileSync(path.join(folder, 'eval_report.json'), 'utf8')) as { report: { n: number } }).report.n, c.n);
});

test('hone eval: bad arguments exit 2, a failed evaluation exits 1 with the reason', { timeout: 120_000 }, async () => {
  for (const args of [['eval'], ['eval', 'a', 'b'], ['eval', 'x', '--limit', '0'], ['eval', 'x', '--export', 'report.pdf'], ['eval', 'x', '--frobnicate']]) {
    const r = await hone(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
  }
  const missing = await hone(['eval', 'no-such-run', '--json']);
  assert.equal(missing.code, 1);
  assert.equal((JSON.parse(missing.out) as { error: { code: string } }).error.code, 'NOT_FOUND');
  const noData = await hone(['eval', runId, '--data', path.join(dataDir, 'nope.jsonl')]);
  assert.equal(noData.code, 1);
  assert.match(noData.err, /does not exist/);
});
