/**
 * The exports.* channels through a real core: "Show in folder" accepts only Hone's own files (each refused
 * path is an attack it stops, and the shell is never called for it), headless answers with the path; the
 * model card is in Hugging Face's format with the run's settings and the evaluation's scores but none of the
 * user's data; a run that cannot be exported says why; the targets list says what each can do now.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { HoneError } from '../../shared/errors';
import type { FileExportProgress } from '../../shared/types/exports';
import type { Plan } from '../../shared/types/plan';
import { createContext } from '../app';
import { getRunStore } from '../store';
import { createExportHandlers } from './handlers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-exports-h-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SECRET_ROW = 'Our internal codename for the Q3 launch is BLUE HERON and the price is 49 dollars';
const SECRET_EVAL = 'Customer 4417 asked for a refund of order 99812';

/** A run folder as the sidecar leaves it (summary.json with its real fields, paths included), plus an evaluation report. */
function sidecarRun(dir: string, opts: { eval?: boolean } = {}): string {
  fs.mkdirSync(path.join(dir, 'adapter'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'adapter', 'adapter_config.json'), JSON.stringify({ base_model_name_or_path: '/home/alice/models/base', r: 16, peft_type: 'LORA' }));
  fs.writeFileSync(path.join(dir, 'adapter', 'adapter_model.safetensors'), 'x');
  const dataFile = path.join(tmp, 'alice-private-notes.jsonl');
  fs.writeFileSync(dataFile, JSON.stringify({ messages: [{ role: 'user', content: 'What is the codename?' }, { role: 'assistant', content: SECRET_ROW }] }));
  fs.writeFileSync(
    path.join(dir, 'summary.json'),
    JSON.stringify({
      stopped: false, objective: 'sft', method: 'lora', backend: 'plain', load_in_4bit: false, device: 'cuda:0 (NVIDIA GeForce RTX 4090)',
      model_path: '/home/alice/models/base', final_step: 60, max_steps: 60, epoch: 1.5, first_loss: 2.4567, final_loss: 1.1234, best_eval_loss: 1.3,
      tokens_seen: 123456, train_runtime_s: 754.2, peak_reserved_gb: 10.44, finished_at: '2026-03-05T10:00:00Z',
      data: { train: { rows: 400, examples: 398, tokens: 100000, truncated_lines: [3], skipped_lines: [], loss_on: 'assistant' }, eval: { rows: 40 } },
      history: [{ step: 1, loss: 2.4567 }],
      config: { model_path: '/home/alice/models/base', dataset_path: dataFile, output_dir: dir, objective: 'sft', method: 'lora', lora_rank: 16, lora_alpha: 32, lora_dropout: 0.05, target_modules: ['q_proj', 'v_proj'], learning_rate: 0.0002, lr_scheduler: 'cosine', warmup_steps: 5, max_seq_length: 2048, batch_size: 4, grad_accum: 4, max_steps: 60 },
    }),
  );
  if (opts.eval) {
    const leg = (x: number) => ({ rouge_l: x, chrf: x * 100, exact_match: x / 2, json_valid: null, json_same_keys: null, length_ratio: 1, tokens_per_second: 40, latency_s: 1, generated_tokens: 100, preference_accuracy: null, mean_margin: null });
    fs.writeFileSync(
      path.join(dir, 'eval_report.json'),
      JSON.stringify({ savedAt: '2026-03-05T11:00:00Z', report: { n: 40, objective: 'sft', base: leg(0.21), tuned: leg(0.47), examples: [{ index: 0, line: 1, prompt: [{ role: 'user', content: SECRET_EVAL }], reference: SECRET_EVAL, base: SECRET_EVAL, tuned: SECRET_EVAL }], dataset: { path: dataFile, rows: 40 }, settings: { limit: 40, max_new_tokens: 128 }, models: { base: '/home/alice/models/base', adapter: null, tuned: null, loads: 1 }, device: 'cuda:0', seconds: { load: 1, generate: 2, total: 3 } } }),
    );
  }
  return dir;
}

function core(opts: { opener?: (p: string) => void; dataDir?: string } = {}) {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(tmp, 'data-'));
  const home = fs.mkdtempSync(path.join(tmp, 'home-'));
  const { ctx, close } = createContext({ mode: opts.opener ? 'electron' : 'headless', paths: { dataDir }, env: { OLLAMA_HOST: '127.0.0.1:9', HOME: home } });
  if (opts.opener) ctx.showItemInFolder = opts.opener;
  const events: FileExportProgress[] = [];
  ctx.bus.on('exports.progress', (e) => events.push(e));
  return { ctx, close, dataDir, home, events, h: createExportHandlers(ctx) };
}

/** Puts a run folder into the core's run store as a finished training does; the page names runs by id. */
function register(c: ReturnType<typeof core>, dir: string, id = path.basename(dir)): string {
  const plan = { method: 'lora' } as Plan;
  getRunStore(c.ctx).createRun({ id, name: id, config: { model: 'm', dataset: 'd', objective: 'sft', plan }, plan, outputDir: dir, status: 'completed', ownerPid: process.pid });
  return id;
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return (err as HoneError).code;
  }
}

describe('Show in folder', () => {
  it('opens only files inside the data folder, a known run folder, or a file an export recorded', async () => {
    const opened: string[] = [];
    const c = core({ opener: (p) => opened.push(p) });
    try {
      const inData = path.join(c.dataDir, 'runs', 'r1', 'exports', 'model.gguf');
      fs.mkdirSync(path.dirname(inData), { recursive: true });
      fs.writeFileSync(inData, 'x');
      // A run folder the user put elsewhere, and LM Studio's copy, outside every Hone folder.
      const runDir = sidecarRun(path.join(tmp, 'elsewhere-run'));
      const store = getRunStore(c.ctx);
      store.createRun({ id: 'run-x', name: 'x', config: { model: 'm', dataset: 'd', objective: 'sft', plan: { method: 'lora' } as Plan }, plan: { method: 'lora' } as Plan, outputDir: runDir, status: 'completed', ownerPid: process.pid });
      const lms = path.join(c.home, '.lmstudio', 'models', 'hone', 'x-GGUF', 'x.gguf');
      fs.mkdirSync(path.dirname(lms), { recursive: true });
      fs.writeFileSync(lms, 'x');
      store.addArtifact('run-x', 'export:lmstudio', lms);
      const otherInLms = path.join(path.dirname(lms), 'someone-elses.gguf');
      fs.writeFileSync(otherInLms, 'x');

      for (const ok of [inData, path.join(runDir, 'summary.json'), lms]) {
        assert.deepEqual(await c.h['exports.showInFolder']({ path: ok }), { shown: true, path: fs.realpathSync(ok) });
      }
      assert.equal(opened.length, 3);

      // Attacks, each refused before the shell sees anything.
      const link = path.join(runDir, 'innocent.gguf');
      fs.symlinkSync('/etc/passwd', link);
      const attacks: [unknown, string][] = [
        ['/etc/passwd', 'BAD_REQUEST'],
        [`${c.dataDir}/../../../../../../../../etc/passwd`, 'BAD_REQUEST'],
        [path.join(c.dataDir, '..', 'not-hone', 'missing.gguf'), 'BAD_REQUEST'],
        [`${c.dataDir}/../${path.basename(tmp)}`, 'BAD_REQUEST'],
        [link, 'BAD_REQUEST'],
        [otherInLms, 'BAD_REQUEST'],
        ['runs/r1/exports/model.gguf', 'BAD_REQUEST'],
        [`${inData}\0.txt`, 'BAD_REQUEST'],
        [42, 'BAD_REQUEST'],
        [path.join(c.dataDir, 'no-such-file'), 'NOT_FOUND'],
      ];
      for (const [p, want] of attacks) assert.equal(await code(c.h['exports.showInFolder']({ path: p as string })), want, `path ${String(p)}`);
      assert.equal(opened.length, 3, 'the shell was never called for a refused path');
    } finally {
      await c.close();
    }
  });

  it('headless: nothing to open, so the answer is the path for the page to show', async () => {
    const c = core();
    try {
      const f = path.join(c.dataDir, 'a.zip');
      fs.writeFileSync(f, 'x');
      assert.deepEqual(await c.h['exports.showInFolder']({ path: f }), { shown: false, path: fs.realpathSync(f) });
    } finally {
      await c.close();
    }
  });
});

describe('model card', () => {
  it("writes README.md in Hugging Face's format: front matter as given, settings, evaluation scores, and none of the user's data", async () => {
    const c = core();
    try {
      const run = sidecarRun(path.join(tmp, 'card-run'), { eval: true });
      const res = await c.h['exports.start']({ runId: register(c, run), target: 'card', card: { license: 'apache-2.0', tags: ['support', 'support', 'bad\ntag'], datasets: ['acme/support-tickets'] } });
      assert.equal(res.path, path.join(run, 'README.md'));
      const text = fs.readFileSync(res.path, 'utf8');
      const [, front, body] = text.split(/^---$/m);
      assert.ok(text.startsWith('---\n'), 'front matter first');
      assert.match(front, /^library_name: peft$/m);
      assert.match(front, /^license: "apache-2.0"$/m);
      assert.match(front, /^tags:\n- "hone"\n- "lora"\n- "peft"\n- "sft"\n- "support"\n- "bad tag"$/m);
      assert.match(front, /^datasets:\n- "acme\/support-tickets"$/m);
      assert.doesNotMatch(front, /base_model/, 'a local base has no Hub id to name');
      for (const want of [/LoRA \(rank 16, alpha 32, dropout 0.05\)/, /`q_proj`, `v_proj`/, /\| Learning rate \| 0.0002 \(cosine, 5 warm-up steps\) \|/, /\| Steps \| 60 \(1.50 epochs\) \|/, /\| Sequence length \| 2,048 tokens \|/, /4 × 4 gradient accumulation = 16/, /NVIDIA GeForce RTX 4090\), peak 10.4 GB/, /\| Training time \| 12 min 34 s \|/, /400 training rows, 123,456 tokens seen, 40 held-out rows/, /2.457 → 1.123/]) {
        assert.match(body, want);
      }
      assert.match(body, /\| ROUGE-L \| 0.210 \| 0.470 \| \+0.260 \|/);
      assert.match(body, /40 held-out rows, greedy decoding/);
      for (const secret of [SECRET_ROW, SECRET_EVAL, 'alice', 'BLUE HERON', 'codename']) assert.ok(!text.includes(secret), `the card must not contain "${secret}"`);
    } finally {
      await c.close();
    }
  });

  it('without an evaluation report, the card says how to get one', async () => {
    const c = core();
    try {
      const run = sidecarRun(path.join(tmp, 'card-no-eval'));
      const res = await c.h['exports.start']({ runId: register(c, run), target: 'card' });
      assert.match(fs.readFileSync(res.path, 'utf8'), /No evaluation report yet\. Evaluate the run in Hone/);
      assert.equal(res.detail, 'no evaluation report yet');
    } finally {
      await c.close();
    }
  });
});

describe('refusals and the targets list', () => {
  it('a stopped run, an unknown target or quantisation: refused with the reason', async () => {
    const c = core();
    try {
      const run = sidecarRun(path.join(tmp, 'stopped-run'));
      const summary = JSON.parse(fs.readFileSync(path.join(run, 'summary.json'), 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(path.join(run, 'summary.json'), JSON.stringify({ ...summary, stopped: true }));
      const plan = { method: 'lora' } as Plan;
      getRunStore(c.ctx).createRun({ id: 'stopped-1', name: 'stopped', config: { model: 'm', dataset: 'd', objective: 'sft', plan }, plan, outputDir: run, status: 'stopped', ownerPid: process.pid });
      await assert.rejects(c.h['exports.start']({ runId: 'stopped-1', target: 'adapter' }), (e: HoneError) => e.code === 'NOT_EXPORTABLE' && /is stopped/.test(e.message));
      await assert.rejects(c.h['exports.start']({ runId: 'stopped-1', target: 'zip' as never }), (e: HoneError) => e.code === 'BAD_REQUEST');
      await assert.rejects(c.h['exports.start']({ runId: 'stopped-1', target: 'gguf', quantize: 'q2_K' as never }), (e: HoneError) => e.code === 'BAD_REQUEST');
    } finally {
      await c.close();
    }
  });

  it('the page names runs by id only: a folder path as runId writes nothing there (no write-anywhere from the page)', async () => {
    const c = core();
    try {
      const victim = fs.mkdtempSync(path.join(tmp, 'victim-'));
      fs.writeFileSync(path.join(victim, 'README.md'), 'mine');
      for (const target of ['card', 'adapter', 'gguf'] as const) {
        await assert.rejects(c.h['exports.start']({ runId: victim, target }), (e: HoneError) => e.code === 'NOT_FOUND');
      }
      await assert.rejects(c.h['exports.targets']({ runId: victim }), (e: HoneError) => e.code === 'NOT_FOUND');
      assert.deepEqual(fs.readdirSync(victim), ['README.md']);
      assert.equal(fs.readFileSync(path.join(victim, 'README.md'), 'utf8'), 'mine');
    } finally {
      await c.close();
    }
  });

  it('lists each target with whether it can run now: no Ollama, no LM Studio, an adapter to bundle', async () => {
    const c = core();
    try {
      const run = sidecarRun(path.join(tmp, 'targets-run'));
      const t = Object.fromEntries((await c.h['exports.targets']({ runId: register(c, run) })).map((x) => [x.target, x]));
      assert.equal(t.gguf.available, false);
      assert.match(t.gguf.note ?? '', /no merged model/);
      assert.equal(t.lmstudio.available, false);
      assert.match(t.lmstudio.note ?? '', /LM Studio is not set up/);
      assert.equal(t.adapter.available, true);
      assert.equal(t.card.available, true);
      assert.deepEqual(t.gguf.quantizations, ['q4_K_M', 'q8_0', 'f16'], 'an Ollama of unknown version counts as current: no q5_K_M');
    } finally {
      await c.close();
    }
  });
});
