/**
 * SmolLM2-135M-Instruct fine-tuned (LoRA, merged too) on the weather-to-JSON style data, through the real
 * sidecar: the run the real-model evaluation tests and the eval Playwright spec evaluate. Trained once and
 * cached under the CI cache, keyed by the sidecar's source, the data, the config and the model folder, so a
 * change to any of them trains again. Treat it as read-only: tests copy it into their own data folder.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ciCacheDir, sharedRealModel } from '../../models/integration/real-model';
import { REPO_ROOT } from '../../paths';
import { SidecarProcess } from '../../sidecar/process';
import { styleRows, writeStyleData } from './style-data';

/** 20 steps of 4 rows: the format is learned by step ~10 (loss ~0.03); ~5k tokens, 1-2 minutes on 2 cores. */
export const STYLE_TRAINING = {
  objective: 'sft', method: 'lora', max_seq_length: 128, batch_size: 4, grad_accum: 1, lora_rank: 16, lora_alpha: 32, lora_dropout: 0,
  learning_rate: 0.001, lr_scheduler: 'constant', max_steps: 20, save_steps: 1000, logging_steps: 5, seed: 7, merge: true, backend: 'plain',
  target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
} as const;

export interface StyleRun {
  /** The finished run folder (adapter/, merged/, summary.json). */
  dir: string;
  model: string;
  train: string;
  eval: string;
}

function sidecarSourceHash(): crypto.Hash {
  const h = crypto.createHash('sha256');
  const pkg = path.join(REPO_ROOT, 'python-runtime', 'hone_sidecar');
  for (const f of fs.readdirSync(pkg).filter((x) => x.endsWith('.py') || x.endsWith('.json')).sort()) h.update(f).update(fs.readFileSync(path.join(pkg, f)));
  return h;
}

const complete = (dir: string) => ['summary.json', 'adapter/adapter_config.json', 'merged/config.json'].every((f) => fs.existsSync(path.join(dir, f)));

export async function sharedStyleRun(opts: { python?: string; log?: (line: string) => void } = {}): Promise<StyleRun> {
  const python = opts.python ?? process.env.HONE_PYTHON;
  if (!python) throw new Error('No Python for the style run: set HONE_PYTHON.');
  const model = await sharedRealModel({ python, log: opts.log });
  const rows = styleRows();
  const dataKey = crypto.createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 12);
  const dataDir = path.join(ciCacheDir(), 'eval-style', `data-${dataKey}`);
  const files = writeStyleData(dataDir); // idempotent: the same bytes every time
  const key = sidecarSourceHash().update(JSON.stringify(STYLE_TRAINING)).update(dataKey).update(path.basename(model)).digest('hex').slice(0, 12);
  const dir = path.join(ciCacheDir(), 'eval-style', `run-${key}`);
  if (complete(dir)) return { dir, model, train: files.train, eval: files.eval };

  const staging = `${dir}.building-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  opts.log?.(`training the style run (SmolLM2 LoRA, ${STYLE_TRAINING.max_steps} steps) into ${dir}`);
  const sidecar = new SidecarProcess({ python, pythonRuntimeDir: path.join(REPO_ROOT, 'python-runtime'), offline: true });
  sidecar.on('event', (e) => e.type === 'metrics' && opts.log?.(`  step ${e.step}/${e.max_steps} loss ${e.loss}`));
  await sidecar.start({ ...STYLE_TRAINING, model_path: model, dataset_path: files.train, eval_dataset_path: files.eval, output_dir: staging });
  const exit = await sidecar.whenExited();
  if (!exit.done || exit.done.stopped || !complete(staging)) {
    throw new Error(`training the style run failed (${exit.code}): ${exit.error?.message ?? ''}\n${exit.tail.slice(-10).join('\n')}`);
  }
  try {
    fs.renameSync(staging, dir);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true }); // another process published it first
  }
  return { dir, model, train: files.train, eval: files.eval };
}

/** A copy of the run in a test's own folder (the tests write reports and exports beside it). */
export function copyStyleRun(run: StyleRun, into: string): string {
  fs.cpSync(run.dir, into, { recursive: true });
  return into;
}
