/**
 * The acceptance test of the evaluation, on a real model: SmolLM2-135M-Instruct fine-tuned (LoRA) to answer
 * weather notes with one JSON object. On held-out rows (cities it never saw), `hone eval --json` must show
 * the tuned model clearly ahead of the base, and the app (eval.get) and the exported HTML must carry the
 * same numbers. Then through a real Ollama: sent as a user sends it (the prompt it was trained on), the
 * tuned model keeps its score (no mismatch flag); a model that answers like the base in its place is flagged.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EvalLeg, EvalReport } from '../../../shared/types/eval';
import type { Plan } from '../../../shared/types/plan';
import { createCore, type Core } from '../../app';
import { ollamaForTestFile, type OllamaForTest } from '../../ollama/integration/test-server';
import { REPO_ROOT } from '../../paths';
import { getRunStore } from '../../store';
import { copyStyleRun, sharedStyleRun, type StyleRun } from './style-run';

const PYTHON = process.env.HONE_PYTHON;
const skip = PYTHON ? false : 'needs HONE_PYTHON (npm test sets it) for the real model';
const ROWS = 12;

type CliReport = EvalReport & { verdict: { kind: string; headline: string }; eval_id: string; status: string };

describe('evaluation on a real fine-tune (SmolLM2, weather → JSON)', { skip }, () => {
  let style: StyleRun;
  let dataDir: string;
  let core: Core;
  let server: OllamaForTest | null = null;
  let host = '';
  const runId = 'style-json-run';

  const hone = (args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(REPO_ROOT, 'electron', 'cli', 'bin.mjs'), ...args], { cwd: dataDir, env: { ...process.env, HONE_DATA_DIR: dataDir, HONE_PYTHON: PYTHON, OLLAMA_HOST: host } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
    });

  before(async () => {
    style = await sharedStyleRun({ python: PYTHON, log: (l) => process.stderr.write(`${l}\n`) });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-real-eval-'));
    server = await ollamaForTestFile();
    host = server.host;
    core = createCore({ mode: 'headless', paths: { dataDir }, env: { ...process.env, HONE_PYTHON: PYTHON, OLLAMA_HOST: host } });
    const outputDir = copyStyleRun(style, path.join(dataDir, 'runs', runId));
    const plan = { modelId: style.model, objective: 'sft', method: 'lora', device: 'cpu', max_seq_length: 128, load_in_4bit: false } as Plan;
    const store = getRunStore(core.ctx);
    store.createRun({ id: runId, name: 'weather as JSON', config: { model: style.model, dataset: style.train, evalDataset: style.eval, objective: 'sft', plan }, plan, outputDir, status: 'completed', ownerPid: process.pid });
    store.updateRun(runId, { ownerPid: null });
  });

  after(async () => {
    await core?.close();
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  let cli: CliReport;

  it('hone eval --json: the tuned model is clearly ahead on held-out rows', { timeout: 900_000 }, async () => {
    const html = path.join(dataDir, 'report.html');
    const r = await hone(['eval', runId, '--json', '--limit', String(ROWS), '--max-new-tokens', '28', '--export', html]);
    assert.equal(r.code, 0, r.err);
    cli = JSON.parse(r.out) as CliReport;
    const { base, tuned } = cli;
    process.stderr.write(`real model, ${cli.n} rows: base ${JSON.stringify(base)}\n  tuned ${JSON.stringify(tuned)}\n  ${cli.seconds.total}s (${cli.seconds.generate}s generating)\n`);
    assert.equal(cli.n, ROWS);
    assert.ok(tuned.rouge_l! >= base.rouge_l! + 0.4, `ROUGE-L ${base.rouge_l} -> ${tuned.rouge_l}`);
    assert.ok(tuned.chrf! >= base.chrf! + 0.4, `chrF ${base.chrf} -> ${tuned.chrf}`);
    assert.ok(tuned.json_valid! >= 0.9 && base.json_valid! <= 0.1, `JSON ${base.json_valid} -> ${tuned.json_valid}`);
    assert.ok(tuned.json_same_keys! >= 0.9, `keys ${tuned.json_same_keys}`);
    assert.ok(tuned.exact_match! > base.exact_match!, 'some replies are exactly right');
    assert.equal(cli.verdict.kind, 'better');
    assert.match(cli.verdict.headline, /^Yes: the fine-tuned model beats the base model on 12 held-out rows/);
    // The held-out prompts are answered about their own (unseen) city.
    const tokyo = cli.examples.find((e) => e.reference.includes('Tokyo'))!;
    assert.equal((JSON.parse(tokyo.tuned) as { city: string }).city, 'Tokyo');
  });

  it('the app and the exported HTML show the same numbers as hone eval --json', async () => {
    assert.ok(cli, 'runs after the evaluation');
    const rec = (await core.handlers['eval.get']({ runId }))!;
    assert.equal(rec.id, cli.eval_id);
    assert.deepEqual({ n: rec.report!.n, base: rec.report!.base, tuned: rec.report!.tuned, examples: rec.report!.examples }, { n: cli.n, base: cli.base, tuned: cli.tuned, examples: cli.examples });
    const html = fs.readFileSync(path.join(dataDir, 'report.html'), 'utf8');
    const exported = (await core.handlers['eval.export']({ runId, format: 'html' })).content;
    for (const doc of [html, exported]) {
      for (const leg of ['base', 'tuned'] as const) {
        for (const key of ['rouge_l', 'chrf', 'exact_match', 'json_valid', 'tokens_per_second'] as const) {
          const m = new RegExp(`data-metric="${leg}\\.${key}" data-value="([^"]*)"`).exec(doc);
          assert.ok(m, `${leg}.${key} in the HTML`);
          assert.equal(Number(m[1]), (cli[leg] as EvalLeg)[key], `${leg}.${key}`);
        }
      }
      assert.match(doc, /data-verdict="better"/);
    }
  });

  it('in Ollama, served with its training prompt, the tuned model keeps its score; a base in its place is flagged', { timeout: 900_000 }, async () => {
    assert.ok(cli, 'runs after the evaluation');
    const tunedName = `hone-eval/style-json-${process.pid}:latest`;
    // As a user sends it: Send to Ollama derives the template and SmolLM2's default system prompt itself.
    await core.handlers['ollama.send']({ runId, name: tunedName, quantize: 'f16', overwrite: true });

    const r = await hone(['eval', runId, '--ollama-only', '--json']);
    assert.equal(r.code, 0, r.err);
    const o = (JSON.parse(r.out) as CliReport).ollama!;
    process.stderr.write(`ollama: base ${JSON.stringify(o.base)}\n  tuned ${JSON.stringify(o.tuned)}\n  agreement ${o.agreement}; ${o.mismatch.message}\n`);
    assert.equal(o.models.tuned, tunedName);
    assert.match(o.models.base, /^hone-base-smollm2-135m-instruct-[0-9a-f]+:f16$/);
    assert.equal(o.baseSource, 'created');
    assert.equal(o.n, ROWS);
    assert.equal(o.mismatch.flagged, false, o.mismatch.message);
    assert.ok(o.tuned.json_valid! >= 0.9, `JSON in Ollama ${o.tuned.json_valid}`);
    assert.ok(o.tuned.chrf! >= o.base.chrf! + 0.4, `Ollama chrF ${o.base.chrf} -> ${o.tuned.chrf}`);
    assert.ok(o.tuned.tokens_per_second! > 0 && o.tuned.latency_s! > 0);
    assert.ok(o.agreement! >= 0.8, `agreement with the sidecar's replies ${o.agreement}`);
    assert.match(o.power.reason!, /CPU/);

    // A model that answers like the base, served under the tuned name's place: the drop is flagged.
    const wrong = await hone(['eval', runId, '--ollama-only', '--ollama-model', o.models.base, '--json']);
    assert.equal(wrong.code, 0, wrong.err);
    const bad = (JSON.parse(wrong.out) as CliReport).ollama!;
    assert.equal(bad.mismatch.flagged, true);
    assert.match(bad.mismatch.message, /^Serving mismatch: in Ollama, hone-base-/);
    const rec = (await core.handlers['eval.get']({ runId }))!;
    assert.equal(rec.report!.ollama!.mismatch.flagged, true, 'the stored report carries the newest Ollama leg');
  });
});
