/**
 * Two training processes on the CPU (issue #15), for real: the real SmolLM2-135M-Instruct, the app's run manager,
 * the launcher (`accelerate launch` with the config written from the plan, gloo between the ranks) and the
 * JSON-lines protocol that rank 0 speaks. This is the multi-GPU path with the GPUs taken out: the same launcher,
 * the same rank-0-only protocol, the same collectives for stops, the same reduction of metrics.
 *
 * - Data parallel keeps the arithmetic: 2 processes x batch 2 see the same 4 rows per optimiser step as one process
 *   x batch 4 (accelerate hands rank r every other batch of the same shuffled order), so the loss curves match
 *   and the tokens counted over both ranks equal one process's count.
 * - A stop reaches both ranks at the same step; the checkpoint resumes both, with no step twice.
 * - A rank killed mid-run fails the run with PROCESS_FAILED naming it, the stored metrics kept, no process left.
 *
 * Short on purpose (64-token rows, a few steps): CI has 2 cores for everything.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Plan } from '../../../shared/types/plan';
import type { RunDetail, RunEvent } from '../../../shared/types/runs';
import type { SidecarEvent } from '../../../shared/types/sidecar';
import { createCore, type Core } from '../../app';
import { sharedRealModel } from '../../models/integration/real-model';
import { REPO_ROOT } from '../../paths';
import { BusLog } from '../../runs/integration/bus';
import { isAlive } from '../kill-tree';

const python = process.env.HONE_PYTHON;
const skip = !python ? 'needs HONE_PYTHON (npm test sets it)' : process.platform === 'win32' ? 'POSIX signals' : false;
const DATA = path.join(REPO_ROOT, 'resources', 'samples', 'sft-sample.jsonl');
const STEPS = 4;

type Metrics = Extract<SidecarEvent, { type: 'metrics' }>;
const metricsOf = (events: RunEvent[], runId: string): Metrics[] =>
  events.filter((e) => e.runId === runId && e.kind === 'sidecar' && e.event?.type === 'metrics').map((e) => e.event as Metrics);
const readyOf = (events: RunEvent[], runId: string) =>
  events.filter((e) => e.runId === runId && e.kind === 'sidecar' && e.event?.type === 'ready').map((e) => e.event as Extract<SidecarEvent, { type: 'ready' }>);

describe('two CPU processes through accelerate launch on the real SmolLM2 (issue #15)', { skip, timeout: 1_500_000 }, () => {
  let tmp: string;
  let core: Core;
  let log: BusLog;
  let model: string;
  let onEvent: ((e: RunEvent) => void) | null = null;
  const timings: Record<string, number> = {};

  /** The planner's plan for the real model; `processes` adds the distributed block. */
  async function plan(overrides: Record<string, unknown>): Promise<Plan> {
    const p = await core.handlers['plan.compute']({ model, overrides: { maxSeqLength: 64, gradAccum: 1, gradientCheckpointing: false, ...overrides } });
    // The planner keeps models above 50M parameters off a user's CPU (too slow to be worth it); the tests train one anyway.
    return { ...p, fits: true, learning_rate: 0.001 };
  }

  async function train(p: Plan, maxSteps: number, name: string): Promise<string> {
    const run = await core.handlers['runs.start']({ config: { model, dataset: DATA, objective: 'sft', plan: p, maxSteps, saveSteps: 100, evalSteps: null, seed: 11, mergeOnFinish: false, name } });
    return run.id;
  }

  const ended = (runId: string, after = 0) =>
    log.waitFor((e) => e.runId === runId && e.seq > after && e.kind === 'status' && ['completed', 'stopped', 'failed'].includes(e.status!), 600_000, `${runId} to end`);

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-multi-process-'));
    model = await sharedRealModel({ python: python! });
    core = createCore({ mode: 'headless', paths: { dataDir: path.join(tmp, 'data') }, env: { ...process.env, HONE_PYTHON: python! } });
    log = new BusLog(core, (e) => onEvent?.(e));
  });

  after(async () => {
    log?.off();
    await core?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (Object.keys(timings).length) console.log(`timings (s): ${JSON.stringify(timings)}`);
  });

  let single: Metrics[] = [];

  it('one process, batch 4: the reference curve', async () => {
    const p = await plan({ batchSize: 4 });
    assert.equal(p.distributed, undefined);
    const t0 = Date.now();
    const runId = await train(p, STEPS, 'one process');
    const end = await ended(runId);
    timings.single = (Date.now() - t0) / 1000;
    const run: RunDetail = await core.handlers['runs.get']({ runId });
    assert.equal(end.status, 'completed', JSON.stringify(run.error));
    assert.equal(run.processes, 1);
    single = metricsOf(log.events, runId);
    assert.deepEqual(single.map((m) => m.step), [1, 2, 3, 4]);
  });

  it('two processes, batch 2 each: the same loss per step, tokens summed over the ranks, stopped and resumed on the way', async () => {
    const p = await plan({ batchSize: 2, processes: 2 });
    assert.deepEqual([p.distributed?.strategy, p.distributed?.processes, p.effective_batch], ['ddp', 2, 4], 'the planner: DDP, the global batch of the single run');
    const t0 = Date.now();
    let runId = '';
    let stopAsked = false;
    // Stop as soon as step 2 is reported: both ranks must leave at the same optimiser step and save.
    onEvent = (e) => {
      if (!stopAsked && e.runId === runId && e.kind === 'sidecar' && e.event?.type === 'metrics' && e.event.step >= 2) {
        stopAsked = true;
        void core.handlers['runs.stop']({ runId });
      }
    };
    runId = await train(p, STEPS, 'two processes');
    const stopped = await ended(runId);
    onEvent = null;
    let run: RunDetail = await core.handlers['runs.get']({ runId });
    assert.equal(stopped.status, 'stopped', JSON.stringify(run.error));
    assert.ok(run.step >= 2 && run.step < STEPS, `stopped at step ${run.step}`);
    assert.ok(run.checkpoints.some((c) => c.step === run.step && fs.existsSync(c.path)), 'rank 0 saved a checkpoint at the stop step');
    assert.equal(run.processes, 2, 'the run summary records the processes');
    const ready = readyOf(log.events, runId)[0];
    assert.deepEqual([ready.processes, ready.devices, ready.pids?.length], [2, ['cpu', 'cpu'], 2]);
    assert.ok(fs.existsSync(path.join(run.outputDir, 'accelerate.json')), 'the launcher\'s config is kept in the run folder');
    // Every rank is gone once the run has stopped.
    await waitGone(ready.pids!);

    await core.handlers['runs.resume']({ runId });
    const done = await ended(runId, stopped.seq);
    timings.twoProcessesWithStopAndResume = (Date.now() - t0) / 1000;
    run = await core.handlers['runs.get']({ runId });
    assert.equal(done.status, 'completed', JSON.stringify(run.error));
    const loss = await core.handlers['runs.metrics']({ runId, names: ['loss'] });
    assert.deepEqual(loss.map((m) => m.step), [1, 2, 3, 4], 'every step once across the stop');

    const multi = metricsOf(log.events, runId);
    const byStep = new Map(multi.map((m) => [m.step, m]));
    const diffs = single.map((s) => {
      const m = byStep.get(s.step)!;
      return { step: s.step, one: s.loss!, two: m.loss!, rel: Math.abs(m.loss! - s.loss!) / s.loss! };
    });
    console.log(`loss, one process vs two: ${JSON.stringify(diffs)}`);
    for (const d of diffs) assert.ok(d.rel < 0.01, `step ${d.step}: ${d.one} vs ${d.two}`);
    // The same rows went through: the ranks' token counts add up to the one process's.
    assert.equal(multi.at(-1)!.tokens_seen, single.at(-1)!.tokens_seen);
    // Per-process figures for the charts, one series per rank.
    const names = new Set((await core.handlers['runs.metrics']({ runId })).map((m) => m.name));
    for (const n of ['rank0/rss_gb', 'rank1/rss_gb', 'rank0/cpu_util', 'rank1/cpu_util']) assert.ok(names.has(n), `${n} stored`);
  });

  it('a rank killed mid-run fails the run with PROCESS_FAILED naming it; the metrics stay, no process is left', async () => {
    const p = await plan({ batchSize: 2, processes: 2 });
    let runId = '';
    let victim: number | null = null;
    onEvent = (e) => {
      if (victim === null && e.runId === runId && e.kind === 'sidecar' && e.event?.type === 'metrics' && e.event.step >= 2) {
        const pids = readyOf(log.events, runId)[0].pids!;
        victim = pids[1];
        process.kill(victim, 'SIGKILL');
      }
    };
    runId = await train(p, 40, 'rank killed');
    const end = await ended(runId);
    onEvent = null;
    const run: RunDetail = await core.handlers['runs.get']({ runId });
    assert.equal(end.status, 'failed');
    assert.equal(run.error?.code, 'PROCESS_FAILED', JSON.stringify(run.error));
    assert.match(run.error!.message, /Training process 1 of 2 \(rank 1\) ended unexpectedly at step \d+/);
    assert.ok(run.error!.hint, 'says what to do');
    const steps = (await core.handlers['runs.metrics']({ runId, names: ['loss'] })).map((m) => m.step);
    assert.ok(steps.length >= 2, `the metrics before the kill are stored: ${steps}`);
    assert.deepEqual(steps, steps.map((_, i) => i + 1));
    await waitGone(readyOf(log.events, runId)[0].pids!);
  });
});

async function waitGone(pids: number[], ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(pids.filter(isAlive), [], 'every training process has exited');
}
