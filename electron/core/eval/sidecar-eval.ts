/**
 * One evaluation through the sidecar (`eval` command, python-runtime/hone_sidecar/evaluate.py): spawn,
 * follow its progress, sample the GPU's power while it generates on CUDA, and return its report. Aborting
 * the signal asks it to stop after the reply in progress; it then reports the rows it finished.
 */
import { HoneError, isErrorCode } from '../../shared/errors';
import type { EvalProgressInfo, EvalReport } from '../../shared/types/eval';
import type { SidecarEvent } from '../../shared/types/sidecar';
import { SidecarProcess } from '../sidecar/process';
import { notMeasured, PowerSampler } from './power';

/** #/definitions/evalConfig in protocol.schema.json. */
export interface SidecarEvalConfig {
  model_path: string;
  dataset_path: string;
  adapter_path: string | null;
  tuned_model_path: string | null;
  objective: 'sft' | 'dpo';
  limit: number;
  max_new_tokens: number;
  max_seq_length: number | null;
  load_in_4bit: boolean;
}

export interface SidecarEvalOptions {
  python: string;
  pythonRuntimeDir: string;
  env?: NodeJS.ProcessEnv;
  /** The GPU the sidecar may see (sidecar/env.ts gpuFor); its power is the one sampled. */
  gpu?: number | 'none' | null;
  config: SidecarEvalConfig;
  signal?: AbortSignal;
  onProgress?(p: EvalProgressInfo): void;
  /** Every sidecar event, for logs. */
  onEvent?(e: SidecarEvent): void;
}

export async function runSidecarEval(o: SidecarEvalOptions): Promise<{ report: EvalReport; stopped: boolean }> {
  const sidecar = new SidecarProcess({ python: o.python, pythonRuntimeDir: o.pythonRuntimeDir, env: o.env, offline: true, gpu: o.gpu, stopTimeoutMs: 60_000 });
  let report: { report: EvalReport; stopped: boolean } | null = null;
  let sampler: PowerSampler | null = null;
  let cuda = false;
  let power = notMeasured('The evaluation ran on the CPU, so there was no GPU power to measure.');
  const stopSampling = async () => {
    if (sampler) power = await sampler.stop();
    sampler = null;
  };
  sidecar.on('event', (e) => {
    o.onEvent?.(e);
    if (e.type === 'ready') cuda = e.cuda;
    if (e.type === 'progress') {
      o.onProgress?.({ stage: e.stage, done: e.done, total: e.total, unit: e.unit });
      if (e.stage === 'generating' && cuda && !sampler) sampler = new PowerSampler(o.env ?? process.env, 500, typeof o.gpu === 'number' ? o.gpu : null).start();
      if (e.stage === 'scoring') void stopSampling();
    }
    if (e.type === 'report') report = { report: e.report, stopped: e.stopped };
  });
  const stop = () => void sidecar.stop().catch(() => undefined);
  o.signal?.addEventListener('abort', stop, { once: true });
  try {
    o.onProgress?.({ stage: 'starting', done: 0, total: null, unit: 'step' });
    await sidecar.evaluate(o.config as unknown as Record<string, unknown>);
    if (o.signal?.aborted) stop();
    const exit = await sidecar.whenExited();
    await stopSampling();
    const got = report as { report: EvalReport; stopped: boolean } | null;
    if (got) return { report: { ...got.report, power }, stopped: got.stopped };
    if (exit.error) {
      const e = exit.error;
      throw new HoneError(isErrorCode(e.code) ? e.code : 'SIDECAR_CRASHED', e.message, e.hint);
    }
    if (o.signal?.aborted) throw new HoneError('CANCELLED', 'The evaluation was stopped before it finished a row.');
    const how = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
    throw new HoneError('SIDECAR_CRASHED', `The evaluation process ${how} without a report.\n${exit.tail.slice(-8).join('\n')}`, 'The lines above say what happened; "hone setup" repairs a broken Python environment.');
  } finally {
    o.signal?.removeEventListener('abort', stop);
    await stopSampling();
    if (!sidecar.exited && sidecar.pid) await sidecar.kill();
  }
}
