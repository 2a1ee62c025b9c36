/**
 * The demo path with the REAL model: SmolLM2-135M-Instruct fine-tuned for a few LoRA steps through the app's
 * own runs service (real sidecar, merged at the end), then through the exports channels: saved as a q8_0 GGUF,
 * which loads back into a real Ollama from the file alone and answers a question correctly; added to LM Studio
 * (a throw-away HOME) from the same file; listed on the Export step's targets.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FileExportProgress, FileExportResult } from '../../../shared/types/exports';
import type { Plan } from '../../../shared/types/plan';
import type { RunDetail } from '../../../shared/types/runs';
import { createCore, type Core } from '../../app';
import { sharedRealModel } from '../../models/integration/real-model';
import { hashFile, uploadBlob } from '../../ollama/blobs';
import { createModel } from '../../ollama/create';
import { loadHfTemplate } from '../../ollama/hf-template';
import { testPython } from '../../ollama/integration/fixtures';
import { ollamaForTestFile, type OllamaForTest } from '../../ollama/integration/test-server';
import { checkTemplate, folderTokenCounter } from '../../ollama/template-check';
import { deriveTemplate } from '../../ollama/template-derive';
import { REPO_ROOT } from '../../paths';
import { readGgufHeader, summarise } from '../gguf-file';

const python = testPython();
const skip = python ? false : 'no Python for the sidecar (set HONE_PYTHON)';

const PLAN: Plan = {
  modelId: 'smollm2-local', objective: 'sft', method: 'lora', load_in_4bit: false, max_seq_length: 128, batch_size: 2, grad_accum: 1,
  effective_batch: 2, lora_rank: 8, lora_alpha: 16, lora_dropout: 0, target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj'],
  gradient_checkpointing: false, optimizer: 'adamw_torch', learning_rate: 0.001, estimated_vram_gb: 0.5,
  breakdown: { weightsGb: 0, trainableGb: 0, activationsGb: 0, overheadGb: 0 }, vram_budget_gb: 0, headroom_gb: 0, fits: true,
  reasons: ['SmolLM2 on the CPU for the export test'], device: 'cpu',
};

describe('a real fine-tune, exported (SmolLM2-135M-Instruct, real Ollama)', { skip, timeout: 1_200_000 }, () => {
  let tmp: string;
  let server: OllamaForTest | null = null;
  let host: string;
  let core: Core;
  let run: RunDetail;
  let home: string;
  const events: FileExportProgress[] = [];

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-real-export-'));
    home = path.join(tmp, 'home');
    fs.mkdirSync(path.join(home, '.lmstudio'), { recursive: true });
    server = await ollamaForTestFile();
    host = server.host;
    const model = await sharedRealModel({ python: python! });
    core = createCore({ mode: 'headless', paths: { dataDir: path.join(tmp, 'data') }, env: { ...process.env, HONE_PYTHON: python!, OLLAMA_HOST: host, HOME: home } });
    core.bus.on('exports.progress', (e) => events.push(e));
    const started = await core.handlers['runs.start']({
      config: { model, dataset: path.join(REPO_ROOT, 'resources', 'samples', 'sft-sample.jsonl'), objective: 'sft', plan: PLAN, maxSteps: 4, saveSteps: 100, evalSteps: null, seed: 5, mergeOnFinish: true, name: 'Support bot' },
    });
    const deadline = Date.now() + 900_000;
    do {
      await new Promise((r) => setTimeout(r, 2000));
      run = await core.handlers['runs.get']({ runId: started.id });
    } while (!['completed', 'failed', 'stopped', 'interrupted'].includes(run.status) && Date.now() < deadline);
    assert.equal(run.status, 'completed', `the run finished: ${JSON.stringify(run.error)}`);
  });

  after(async () => {
    await core?.close();
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  let gguf: FileExportResult;

  it('saves Support-bot-q8_0.gguf with the model’s chat template and correct metadata', async () => {
    gguf = await core.handlers['exports.start']({ runId: run.id, target: 'gguf', quantize: 'q8_0' });
    assert.equal(path.basename(gguf.path), 'Support-bot-q8_0.gguf');
    assert.equal(path.dirname(gguf.path), path.join(run.outputDir, 'exports'));
    const s = summarise(await readGgufHeader(gguf.path));
    assert.equal(s.architecture, 'llama');
    assert.equal(s.contextLength, 8192, "SmolLM2's context length");
    assert.equal(s.tensorCount, 272, '30 layers × 9 tensors + embedding + output norm (tied output head)');
    assert.equal(s.fileType, 7);
    assert.equal(s.addBos, false, 'SmolLM2 adds no BOS of its own');
    assert.match(s.chatTemplate ?? '', /You are a helpful AI assistant named SmolLM/);
    assert.equal(s.name, 'Support bot');
    assert.ok(events.some((e) => e.target === 'gguf' && e.stage === 'writing' && e.done === e.total && e.total! > 100e6), 'the write reported its bytes to the end');
  });

  it('loads back into Ollama from that file and answers correctly, fed the prompt training saw', async () => {
    const url = `http://${host}`;
    const digest = await hashFile(gguf.path);
    await uploadBlob(url, digest, gguf.path, () => undefined);
    const merged = path.join(run.outputDir, 'merged');
    const hf = loadHfTemplate(merged, '2000-01-01')!;
    const derived = deriveTemplate(hf);
    const name = `hone-test/support-bot-gguf-${process.pid}:latest`;
    await createModel(url, { model: name, files: { 'Support-bot-q8_0.gguf': digest }, template: derived.template, system: derived.defaultSystem ?? undefined, parameters: { stop: derived.stop } }, () => undefined);
    const check = await checkTemplate({ baseUrl: url, model: name, hf, count: folderTokenCounter(merged), modelSystem: derived.defaultSystem });
    assert.ok(check.ok, check.summary);
    const reply = (await (await fetch(`${url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: name, messages: [{ role: 'user', content: 'What is the capital of France?' }], stream: false, options: { temperature: 0, num_predict: 40 } }) })).json()) as { message: { content: string }; done_reason: string };
    assert.match(reply.message.content, /Paris/, `a correct answer: ${reply.message.content}`);
    assert.equal(reply.done_reason, 'stop', 'it stops on its own end-of-turn token');
    await fetch(`${url}/api/delete`, { method: 'DELETE', body: JSON.stringify({ model: name }) });
  });

  it('adds that same file to LM Studio (a hard link, nothing converted again) and lists it on the targets', async () => {
    const before = events.length;
    const added = await core.handlers['exports.start']({ runId: run.id, target: 'lmstudio', quantize: 'q8_0' });
    assert.equal(added.path, path.join(home, '.lmstudio', 'models', 'hone', 'Support-bot-GGUF', 'Support-bot-q8_0.gguf'));
    assert.equal(fs.statSync(added.path).ino, fs.statSync(gguf.path).ino);
    assert.ok(!events.slice(before).some((e) => e.stage.startsWith('gguf')), 'the GGUF file was reused');
    const targets = Object.fromEntries((await core.handlers['exports.targets']({ runId: run.id })).map((t) => [t.target, t]));
    assert.deepEqual(targets.gguf.files.map((f) => f.path), [gguf.path]);
    assert.deepEqual(targets.lmstudio.files.map((f) => f.path), [added.path]);
    assert.equal(targets.lmstudio.location, path.join(home, '.lmstudio', 'models'));
    assert.equal(targets.adapter.available, true);
    // Show in folder: LM Studio's copy is outside Hone's folders but an export recorded it.
    assert.deepEqual(await core.handlers['exports.showInFolder']({ path: added.path }), { shown: false, path: added.path });
  });
});
