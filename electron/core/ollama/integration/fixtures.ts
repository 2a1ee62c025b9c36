/**
 * Real inputs for the Ollama integration tests: the tiny Llama the Python runtime builds (a merged 16-bit-style
 * safetensors folder with a ChatML template), laid out as a finished run folder, and a real Ollama server.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../paths';

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
  const dir = path.join(os.tmpdir(), `hone-tiny-model-${key}`);
  if (fs.existsSync(path.join(dir, 'model.safetensors'))) return dir;
  const staging = fs.mkdtempSync(`${dir}.building-`);
  buildTinyModel(staging);
  try {
    fs.renameSync(staging, dir);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true }); // another process published it first
  }
  return dir;
}

/** A finished run folder: merged/ holds the model, summary.json says completed. */
export function makeRunFolder(root: string, tinyDir: string, opts: { id?: string; architecture?: string; model?: string } = {}): string {
  const run = path.join(root, opts.id ?? 'run-tiny');
  const merged = path.join(run, 'merged');
  fs.mkdirSync(merged, { recursive: true });
  for (const f of fs.readdirSync(tinyDir)) fs.copyFileSync(path.join(tinyDir, f), path.join(merged, f));
  if (opts.architecture) {
    const cfgPath = path.join(merged, 'config.json');
    const cfg = JSON.parse(fs.readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
    cfg.architectures = [opts.architecture];
    fs.writeFileSync(cfgPath, JSON.stringify(cfg, null, 2));
  }
  fs.writeFileSync(path.join(run, 'summary.json'), JSON.stringify({ runId: opts.id ?? 'run-tiny', name: 'tiny test run', status: 'completed', model: opts.model ?? 'tiny-demo' }));
  return run;
}
