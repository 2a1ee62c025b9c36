/** `hone plan` and `hone hardware` run for real: the bin script, its own core, this machine (no GPU). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Hardware } from '../../shared/types/hardware';
import type { Plan } from '../../shared/types/plan';
import { REPO_ROOT } from '../../core/paths';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-cli-'));
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function hone(args: string[], opts: { cwd?: string; path?: string } = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'electron', 'cli', 'bin.mjs'), ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, HONE_DATA_DIR: dataDir, PATH: opts.path ?? process.env.PATH },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

test('hone plan --json for a catalogue model on a card this machine does not have', async () => {
  const r = await hone(['plan', '--model', 'llama-3.1-8b-instruct', '--vram-gb', '24', '--json']);
  assert.equal(r.code, 0, r.err);
  const plan = JSON.parse(r.out) as Plan;
  for (const k of ['method', 'load_in_4bit', 'max_seq_length', 'batch_size', 'grad_accum', 'lora_rank', 'estimated_vram_gb', 'breakdown', 'fits', 'reasons']) assert.ok(k in plan, k);
  assert.deepEqual([plan.method, plan.load_in_4bit, plan.fits, plan.device, plan.vram_budget_gb], ['lora', false, true, 'cuda', 24]);
  const q = JSON.parse((await hone(['plan', '--model', 'llama-3.1-8b-instruct', '--vram-gb', '24', '--method', 'qlora', '--seq-len', '4096', '--objective', 'dpo', '--batch', '1', '--rank', '32', '--json'])).out) as Plan;
  assert.deepEqual([q.method, q.max_seq_length, q.objective, q.batch_size, q.grad_accum, q.lora_rank], ['qlora', 4096, 'dpo', 1, 8, 32]);
});

test('hone plan --data on this CPU: the run\'s time, for one epoch or the steps asked for; --max-steps with --epochs is refused', async () => {
  const data = path.join(REPO_ROOT, 'resources', 'samples', 'style-sample.jsonl');
  const epoch = await hone(['plan', '--model', 'smollm2-135m-instruct', '--data', data, '--json']);
  assert.equal(epoch.code, 0, epoch.err);
  const p = JSON.parse(epoch.out) as Plan;
  assert.equal(p.device, 'cpu');
  assert.ok(p.eta && p.eta.steps === Math.ceil(156 / p.effective_batch) && p.eta.seconds > 0, JSON.stringify(p.eta));
  assert.match(p.why?.eta ?? '', /^About \d+ (s|min) on this CPU: 1 epoch/);
  const short = JSON.parse((await hone(['plan', '--model', 'smollm2-135m-instruct', '--data', data, '--max-steps', '5', '--json'])).out) as Plan;
  assert.equal(short.eta?.steps, 5);
  assert.ok(short.eta!.seconds < p.eta.seconds);
  const table = await hone(['plan', '--model', 'smollm2-135m-instruct', '--data', data]);
  assert.match(table.out, /Time on this CPU {4}about \d+ (s|min) \(39 steps/);
  const both = await hone(['plan', '--model', 'smollm2-135m-instruct', '--max-steps', '5', '--epochs', '1']);
  assert.equal(both.code, 2);
  assert.match(both.err, /--max-steps or --epochs, not both/);
});

test('hone plan prints a table with the reasons; a model too big exits 1 and names what would fit', async () => {
  const ok = await hone(['plan', '--model', 'qwen2.5-7b-instruct', '--vram-gb', '12']);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /Plan for Qwen2\.5 7B Instruct \(SFT\) on a 12 GB VRAM budget: FITS/);
  assert.match(ok.out, /Method\s+QLoRA \(4-bit\)/);
  assert.match(ok.out, /Why:\n {2}- Planned for a 12\.0 GB NVIDIA card/);
  const big = await hone(['plan', '--model', 'llama-3.1-70b-instruct', '--vram-gb', '24']);
  assert.equal(big.code, 1);
  assert.match(big.out, /DOES NOT FIT/);
  assert.match(big.out, /Try: hone plan --model qwen2\.5-32b-instruct --vram-gb 24/);
});

test('hone plan on a local model folder, given relative to where it runs, on this CPU-only machine', async () => {
  const dir = fs.mkdtempSync(path.join(dataDir, 'model-'));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 64, intermediate_size: 192, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 2, vocab_size: 1024, max_position_embeddings: 1024 }));
  fs.writeFileSync(path.join(dir, 'pytorch_model.bin'), '');
  const r = await hone(['plan', '--model', `./${path.basename(dir)}`, '--json'], { cwd: dataDir });
  assert.equal(r.code, 0, r.err + r.out);
  const plan = JSON.parse(r.out) as Plan;
  assert.equal(plan.modelId, `local:${dir}`);
  assert.equal(plan.device, 'cpu');
  assert.equal(plan.fits, true, 'a model this small is practical on the CPU');
  assert.equal(plan.max_seq_length, 1024, 'capped at the folder\'s max_position_embeddings');
  const notModel = await hone(['plan', '--model', dataDir]);
  assert.equal(notModel.code, 1);
  assert.match(notModel.err, /is not a model folder: it has no config\.json\.\n {2}Pick the folder that holds config\.json/);
});

test('usage errors exit 2 with what to do; an unknown model exits 1 with a hint; --json errors are JSON', async () => {
  for (const args of [['plan'], ['plan', '--model', 'x', '--method', 'turbo'], ['plan', '--model', 'x', '--batch', '0'], ['hardware', '--colour']]) {
    const r = await hone(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, /^hone (plan|hardware): /);
  }
  const unknown = await hone(['plan', '--model', 'gpt-5', '--json']);
  assert.equal(unknown.code, 1);
  assert.equal((JSON.parse(unknown.out) as { error: { code: string } }).error.code, 'MODEL_NOT_FOUND');
  assert.match(unknown.err, /"gpt-5" is not in the model catalogue\.\n {2}Run "hone plan --help"/);
  const help = await hone(['plan', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /--vram-gb N/);
});

test('hone hardware: CPU only here, as text and JSON; with a stand-in nvidia-smi on PATH it shows the card', async () => {
  const text = await hone(['hardware']);
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /Training: CPU only/);
  assert.match(text.out, /No NVIDIA GPU found\. You can still run the built-in demo/);
  const json = JSON.parse((await hone(['hardware', '--json'])).out) as Hardware;
  assert.equal(json.backend, 'cpu');
  assert.equal(json.cpu.cores, os.cpus().length);
  if (process.platform === 'win32') return;
  // Stand-in nvidia-smi (test double: no NVIDIA GPU on the test machine), answering with a T4's output.
  const bin = fs.mkdtempSync(path.join(dataDir, 'bin-'));
  fs.writeFileSync(
    path.join(bin, 'nvidia-smi'),
    '#!/bin/sh\ncase "$1" in\n  --query-gpu=index,uuid,*) echo "0, GPU-2c0f, Tesla T4, 15360, 15095, 535.104.05, 7.5" ;;\n  --query-compute-apps=*) ;;\n  "") echo "| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: 12.2 |" ;;\n  *) exit 2 ;;\nesac\n',
    { mode: 0o755 },
  );
  const t4 = await hone(['hardware'], { path: `${bin}${path.delimiter}${process.env.PATH}` });
  assert.match(t4.out, /GPU 0 {2}Tesla T4 {2}\(selected for training\)\n\s+VRAM 14\.7 GB free of 15\.0 GB · driver 535\.104\.05 · CUDA 12\.2 · compute 7\.5/);
  assert.match(t4.out, /Training: on the GPU with Unsloth/);
});
