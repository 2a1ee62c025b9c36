/**
 * Scores replies Hone got outside the sidecar's evaluation (Ollama's) with the sidecar's own metric code:
 * `python -m hone_sidecar.score` (python-runtime/hone_sidecar/score.py, built on metrics.py). One place
 * computes every number, so an Ollama score and a sidecar score are comparable by construction.
 */
import { spawn } from 'node:child_process';
import { HoneError } from '../../shared/errors';
import type { EvalLeg, EvalScores } from '../../shared/types/eval';
import { sidecarEnv } from '../sidecar/env';

export interface ScoredSet {
  rows: EvalScores[];
  aggregate: Pick<EvalLeg, 'rouge_l' | 'chrf' | 'exact_match' | 'json_valid' | 'json_same_keys' | 'length_ratio'>;
}

export interface ScorerOptions {
  python: string;
  pythonRuntimeDir: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export async function scoreSets(opts: ScorerOptions, sets: Record<string, { predictions: string[]; references: string[] }>): Promise<Record<string, ScoredSet>> {
  const child = spawn(opts.python, ['-m', 'hone_sidecar.score'], {
    env: sidecarEnv({ pythonRuntimeDir: opts.pythonRuntimeDir, base: opts.env, offline: true }),
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  child.stdin.on('error', () => undefined); // a scorer that died early is reported by its exit below
  child.stdin.end(JSON.stringify({ sets }));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(null));
    child.on('close', (c) => resolve(c));
  });
  clearTimeout(timer);
  const last = stdout.trim().split('\n').pop() ?? '';
  let answer: { sets?: Record<string, ScoredSet>; error?: string } = {};
  try {
    answer = JSON.parse(last) as typeof answer;
  } catch {
    // reported below with stderr
  }
  if (code === 0 && answer.sets) return answer.sets;
  if (answer.error) throw new HoneError('INTERNAL', `The scorer rejected its input: ${answer.error}`);
  if (/No module named '?(rouge_score|sacrebleu)/.test(stderr)) {
    throw new HoneError('RUNTIME_NOT_READY', 'The Python environment lacks the evaluation metrics (rouge-score, sacrebleu).', 'Update the Python environment (Settings → Python → Install again, or `hone setup`).');
  }
  throw new HoneError('SIDECAR_CRASHED', `Scoring the replies failed (exit code ${code}):\n${stderr.trim().split('\n').slice(-6).join('\n')}`, 'Check the Python environment with "hone setup", then try again.');
}
