/**
 * Real inputs for the Ollama integration tests: the tiny Llama the Python runtime builds (a merged 16-bit-style
 * safetensors folder with a ChatML template), laid out as a finished run folder, and a real Ollama server.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Plan } from '../../../shared/types/plan';
import type { RunStatus } from '../../../shared/types/runs';
import type { CoreContext } from '../../context';
import { REPO_ROOT } from '../../paths';
import { getRunStore } from '../../store';

export function testPython(): string | null {
  const candidates = [process.env.HONE_PYTHON, '/tmp/probe-venv/bin/python'].filter(Boolean) as string[];
  return candidates.find((p) => fs.existsSync(p)) ?? null;
}

/** Runs `python -m hone_sidecar.tiny <dir>`; throws with its output when it fails. */
export function buildTinyModel(dir: string): string {
  const python = testPython();
  if (!python) throw new Error('No Python for the tiny model: set HONE_PYTHON.');
  const r = spawnSync(python, ['-m', 'hone_sidecar.tiny', dir], {
    cwd: REPO_ROOT,
    env: { ...process.env, PYTHONPATH: path.join(REPO_ROOT, 'python-runtime') },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`hone_sidecar.tiny failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return dir;
}

/**
 * The tiny model, built once per version of its builder and shared by every test process (building costs
 * ~20 s of scarce CPU). Keyed by the builder's source, published by an atomic rename; treat it as read-only.
 */
export function sharedTinyModel(): string {
  const src = fs.readFileSync(path.join(REPO_ROOT, 'python-runtime', 'hone_sidecar', 'tiny.py'));
  const key = crypto.createHash('sha256').update(src).digest('hex').slice(0, 12);
  // Same folder as the runs tests' tiny model, so a suite builds it once.
  const dir = path.join(os.tmpdir(), `hone-tiny-${key}`);
  if (fs.existsSync(path.join(dir, 'config.json'))) return dir;
  const staging = fs.mkdtempSync(`${dir}.building-`);
  buildTinyModel(staging);
  try {
    fs.renameSync(staging, dir);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true }); // another process published it first
  }
  return dir;
}

/**
 * A real PEFT LoRA adapter for the tiny model (random, non-zero B so it changes the output), with the
 * tokenizer beside it as the sidecar saves it. Cached like the tiny model.
 */
export function sharedTinyAdapter(): string {
  const base = sharedTinyModel();
  const dir = `${base}-lora`;
  if (fs.existsSync(path.join(dir, 'adapter_model.safetensors'))) return dir;
  const staging = fs.mkdtempSync(`${dir}.building-`);
  const script = [
    'import sys, torch',
    'from transformers import AutoModelForCausalLM, AutoTokenizer',
    'from peft import LoraConfig, get_peft_model',
    'base, out = sys.argv[1], sys.argv[2]',
    'torch.manual_seed(0)',
    'm = get_peft_model(AutoModelForCausalLM.from_pretrained(base), LoraConfig(r=8, lora_alpha=16, init_lora_weights=False,',
    '    target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]))',
    'm.save_pretrained(out, safe_serialization=True)',
    'AutoTokenizer.from_pretrained(base).save_pretrained(out, save_jinja_files=False)',
  ].join('\n');
  const r = spawnSync(testPython()!, ['-c', script, base, staging], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the LoRA adapter failed (${r.status}):\n${r.stderr}`);
  try {
    fs.renameSync(staging, dir);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

/**
 * Copies a float32 safetensors model as bfloat16, what the sidecar's merge writes for real models (a bf16
 * value is the top half of the f32). Lets the tests quantise from the dtype users actually send.
 */
export function copyAsBf16(srcDir: string, dstDir: string): void {
  fs.mkdirSync(dstDir, { recursive: true });
  for (const f of fs.readdirSync(srcDir)) {
    if (!f.endsWith('.safetensors')) {
      fs.copyFileSync(path.join(srcDir, f), path.join(dstDir, f));
      continue;
    }
    const buf = fs.readFileSync(path.join(srcDir, f));
    const headerLen = Number(buf.readBigUInt64LE(0));
    const header = JSON.parse(buf.subarray(8, 8 + headerLen).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    const data = buf.subarray(8 + headerLen);
    const out: Buffer[] = [];
    let offset = 0;
    const newHeader: Record<string, unknown> = {};
    for (const [name, t] of Object.entries(header)) {
      if (name === '__metadata__') {
        newHeader[name] = t;
        continue;
      }
      if (t.dtype !== 'F32') throw new Error(`copyAsBf16: ${name} is ${t.dtype}`);
      const src = data.subarray(t.data_offsets[0], t.data_offsets[1]);
      const dst = Buffer.alloc(src.length / 2);
      for (let i = 0; i < src.length / 4; i++) dst.writeUInt16LE(src.readUInt16LE(i * 4 + 2), i * 2);
      newHeader[name] = { dtype: 'BF16', shape: t.shape, data_offsets: [offset, offset + dst.length] };
      offset += dst.length;
      out.push(dst);
    }
    let json = JSON.stringify(newHeader);
    json += ' '.repeat((8 - (json.length % 8)) % 8);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
    fs.writeFileSync(path.join(dstDir, f), Buffer.concat([len, Buffer.from(json), ...out]));
  }
  const cfgPath = path.join(dstDir, 'config.json');
  const cfg = JSON.parse(fs.readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(cfgPath, JSON.stringify({ ...cfg, torch_dtype: 'bfloat16', dtype: 'bfloat16' }, null, 2));
}

/** A finished run folder: merged/ holds the model, summary.json says completed. */
export function makeRunFolder(root: string, tinyDir: string | null, opts: { id?: string; architecture?: string; model?: string; adapterDir?: string } = {}): string {
  const run = path.join(root, opts.id ?? 'run-tiny');
  const copy = (from: string, to: string) => {
    fs.mkdirSync(to, { recursive: true });
    for (const f of fs.readdirSync(from)) fs.copyFileSync(path.join(from, f), path.join(to, f));
  };
  const merged = path.join(run, 'merged');
  if (tinyDir) copy(tinyDir, merged);
  if (opts.adapterDir) copy(opts.adapterDir, path.join(run, 'adapter'));
  if (opts.architecture && tinyDir) {
    const cfgPath = path.join(merged, 'config.json');
    const cfg = JSON.parse(fs.readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
    cfg.architectures = [opts.architecture];
    fs.writeFileSync(cfgPath, JSON.stringify(cfg, null, 2));
  }
  fs.writeFileSync(path.join(run, 'summary.json'), JSON.stringify({ runId: opts.id ?? 'run-tiny', name: 'tiny test run', status: 'completed', model: opts.model ?? 'tiny-demo' }));
  return run;
}

/**
 * Puts a run into the real run store as the runs domain does when a training ends, pointing at a folder made
 * by makeRunFolder. (Training the tiny model for real is the runs/e2e tests' job; here the store row is what
 * matters: the export must find the run by id and show on it.)
 */
export function registerRun(ctx: CoreContext, outputDir: string, opts: { id: string; model: string; status?: RunStatus }): void {
  const store = getRunStore(ctx);
  const plan = { method: 'lora' } as Plan; // stored as JSON only; nothing here reads it
  store.createRun({
    id: opts.id,
    name: `test ${opts.id}`,
    config: { model: opts.model, dataset: 'none.jsonl', objective: 'sft', plan },
    plan,
    outputDir,
    status: opts.status ?? 'completed',
    ownerPid: process.pid,
  });
}
