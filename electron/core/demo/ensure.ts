/**
 * The tiny demo model: built on this machine (no download) by `python -m hone_sidecar.tiny` the first
 * time it is needed, then reused. It is built into a temporary folder and renamed into place, so a crash
 * mid-build never leaves half a model that later looks complete.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { Progress } from '../../shared/types/progress';
import { perContext, type CoreContext } from '../context';
import { execLines } from '../runtime/exec';
import { getRuntime } from '../runtime/service';
import { sidecarEnv } from '../sidecar/env';

export const DEMO_MODEL_ID = 'hone-tiny-demo';
const MARKER = '.hone-demo.json';

export function demoModelDir(ctx: CoreContext): string {
  return path.join(ctx.paths.dataDir, 'models', DEMO_MODEL_ID);
}

/** Changes when the builder or the samples its tokenizer is trained on change: then the demo is rebuilt. */
function builderHash(ctx: CoreContext): string {
  const h = crypto.createHash('sha256');
  const files = [path.join(ctx.paths.pythonRuntimeDir, 'hone_sidecar', 'tiny.py'), path.join(ctx.paths.pythonRuntimeDir, 'hone_sidecar', 'samples_gen.py')];
  const samples = path.join(ctx.paths.resourcesDir, 'samples');
  if (fs.existsSync(samples)) files.push(...fs.readdirSync(samples).sort().map((f) => path.join(samples, f)));
  for (const f of files) if (fs.existsSync(f)) h.update(f.slice(-40)).update(fs.readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

function isBuilt(dir: string, hash: string): boolean {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8')) as { hash?: string };
    return m.hash === hash && fs.existsSync(path.join(dir, 'config.json'));
  } catch {
    return false;
  }
}

export interface EnsureDemoOptions {
  /** Python to build with; defaults to the runtime's (settings or Hone's environment). */
  python?: string;
  onProgress?: (p: Progress) => void;
}

const building = perContext(() => new Map<string, Promise<string>>());

/** The demo model's folder, building it first when missing or outdated. Concurrent callers share one build. */
export function ensureDemoModel(ctx: CoreContext, opts: EnsureDemoOptions = {}): Promise<string> {
  const dir = demoModelDir(ctx);
  const inflight = building(ctx);
  let p = inflight.get(dir);
  if (!p) {
    p = build(ctx, dir, opts).finally(() => inflight.delete(dir));
    inflight.set(dir, p);
  }
  return p;
}

async function build(ctx: CoreContext, dir: string, opts: EnsureDemoOptions): Promise<string> {
  const hash = builderHash(ctx);
  if (isBuilt(dir, hash)) return dir;
  const python = opts.python ?? (await getRuntime(ctx).requirePython());
  opts.onProgress?.({ stage: 'Building the demo model', done: 0, total: 1, unit: 'items' });
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const env = sidecarEnv({ pythonRuntimeDir: ctx.paths.pythonRuntimeDir, base: ctx.env, offline: true });
  const r = await execLines(python, ['-m', 'hone_sidecar.tiny', tmp, '--samples', path.join(ctx.paths.resourcesDir, 'samples')], { env, timeoutMs: 10 * 60_000 });
  if (r.code !== 0 || !fs.existsSync(path.join(tmp, 'config.json'))) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new HoneError('SIDECAR_CRASHED', `Building the demo model failed (exit code ${r.code}):\n${r.tail.slice(-8).join('\n')}`, 'Check the Python environment with "hone setup", then try again.');
  }
  fs.writeFileSync(path.join(tmp, MARKER), JSON.stringify({ hash, builtAt: new Date().toISOString() }));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  opts.onProgress?.({ stage: 'Building the demo model', done: 1, total: 1, unit: 'items' });
  return dir;
}
