/**
 * This machine's CPU training speed: `python -m hone_sidecar.calibrate` times a few LoRA steps (about 15 s
 * with the imports), and the tokens/s it reports become FLOP/s through the planner's own FLOP count. Kept in
 * <dataDir>/cpu-speed.json for this CPU, core count and thread setting; measured again when any of those
 * change, or when asked (`hone plan --measure`). The planner itself stays pure: planForModel passes the cached figure in.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { ModelArchitecture } from '../../shared/types/model';
import type { CpuSpeed } from '../../shared/types/plan';
import { perContext, type CoreContext } from '../context';
import { execLines } from '../runtime/exec';
import { getRuntime } from '../runtime/service';
import { sidecarEnv } from '../sidecar/env';
import { flopsPerToken } from './eta';

const FILE = 'cpu-speed.json';

interface Measured {
  tokens_per_second: number;
  seq: number;
  batch: number;
  threads: number;
  lora_rank: number;
  target_modules: string[];
  gradient_checkpointing: boolean;
  shape: Omit<ModelArchitecture, 'paramsB' | 'maxPositionEmbeddings' | 'architecture'>;
}

interface Cached extends CpuSpeed {
  key: string;
  tokensPerSecond: number;
}

/** The same CPU, core count and thread setting: a copied data folder on another machine measures again. */
function machineKey(ctx: CoreContext): string {
  const cpus = os.cpus();
  const parts = [cpus[0]?.model ?? '?', cpus.length, ctx.env.HONE_CPU_THREADS ?? ''];
  return crypto.createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 16);
}

/** The measured speed for this machine, when it has been measured (no I/O beyond one small file). */
export function cachedCpuSpeed(ctx: CoreContext): CpuSpeed | null {
  try {
    const c = JSON.parse(fs.readFileSync(path.join(ctx.paths.dataDir, FILE), 'utf8')) as Cached;
    if (c.key !== machineKey(ctx) || !(c.flopsPerSecond > 0)) return null;
    return { flopsPerSecond: c.flopsPerSecond, measured: true, how: c.how, measuredAt: c.measuredAt };
  } catch {
    return null;
  }
}

/** The FLOP/s a calibration run stands for, counted exactly as the planner counts a run. */
export function speedFrom(m: Measured): number {
  const shape: ModelArchitecture = { ...m.shape, paramsB: 0, maxPositionEmbeddings: m.seq, architecture: 'LlamaForCausalLM' };
  const perToken = flopsPerToken(shape, { method: 'lora', loraRank: m.lora_rank, targetModules: m.target_modules, gradientCheckpointing: m.gradient_checkpointing, meanTokens: m.seq });
  return perToken * m.tokens_per_second;
}

const inflight = perContext(() => ({ p: null as Promise<CpuSpeed> | null }));

/** Measures (or returns the cached figure). Concurrent callers share one measurement. */
export function calibrateCpu(ctx: CoreContext, opts: { python?: string; force?: boolean; signal?: AbortSignal } = {}): Promise<CpuSpeed> {
  const state = inflight(ctx);
  state.p ??= measure(ctx, opts).finally(() => (state.p = null));
  return state.p;
}

async function measure(ctx: CoreContext, opts: { python?: string; force?: boolean; signal?: AbortSignal }): Promise<CpuSpeed> {
  const python = opts.python ?? (await getRuntime(ctx).requirePython());
  if (!opts.force) {
    const cached = cachedCpuSpeed(ctx);
    if (cached) return cached;
  }
  const env = sidecarEnv({ pythonRuntimeDir: ctx.paths.pythonRuntimeDir, base: ctx.env, offline: true });
  const r = await execLines(python, ['-m', 'hone_sidecar.calibrate'], { env, timeoutMs: 10 * 60_000, signal: opts.signal });
  const line = r.stdout.split('\n').filter((l) => l.startsWith('{"tokens_per_second"')).at(-1);
  if (r.code !== 0 || !line) {
    throw new HoneError('SIDECAR_CRASHED', `Measuring this machine's training speed failed (exit code ${r.code}):\n${r.tail.slice(-6).join('\n')}`, 'Check the Python environment with "hone setup"; plans use a typical speed meanwhile.');
  }
  const m = JSON.parse(line) as Measured;
  const measuredAt = new Date().toISOString();
  const how = `LoRA steps on a SmolLM2-135M-shaped model, ${m.threads} thread${m.threads === 1 ? '' : 's'}, ${Math.round(m.tokens_per_second)} tokens/s`;
  const speed: Cached = { key: machineKey(ctx), flopsPerSecond: Math.round(speedFrom(m)), tokensPerSecond: m.tokens_per_second, measured: true, how, measuredAt };
  const file = path.join(ctx.paths.dataDir, FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(speed, null, 2));
  fs.renameSync(`${file}.tmp`, file);
  return { flopsPerSecond: speed.flopsPerSecond, measured: true, how, measuredAt };
}
