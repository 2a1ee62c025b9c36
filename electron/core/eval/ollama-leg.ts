/**
 * The Ollama leg of an evaluation: the report's rows through Ollama, the base model then the tuned one,
 * greedy (temperature 0) with the same reply limit. Speed is Ollama's own (eval_count / eval_duration, as
 * `ollama run --verbose` shows it), latency excludes loading the model (a warm-up request loads it). The
 * replies are scored by the sidecar's scorer, the same code that scored the sidecar's replies, and the
 * tuned score is checked against the sidecar's (mismatch.ts).
 */
import { HoneError } from '../../shared/errors';
import type { EvalLeg, EvalProgressInfo, EvalReport, OllamaEval, PowerMeasurement } from '../../shared/types/eval';
import type { ChatMessage } from '../../shared/types/ollama';
import type { CoreContext } from '../context';
import { connect, listModels, ollamaStatus, type OllamaConnection } from '../ollama/client';
import { OLLAMA_START_HINT, toOllamaError } from '../ollama/errors';
import { ensureBaseInOllama } from './ollama-base';
import { servingMismatch } from './mismatch';
import { notMeasured, PowerSampler } from './power';
import { scoreSets } from './scorer';
import type { EvalTarget } from './source';

export interface OllamaLegOptions {
  ctx: CoreContext;
  python: string;
  report: EvalReport;
  target: EvalTarget;
  tunedModel?: string;
  baseModel?: string;
  signal?: AbortSignal;
  onProgress?(p: EvalProgressInfo): void;
}

interface Answers {
  replies: string[];
  evalCount: number[];
  evalNs: number[];
  latencyNs: number[];
  power: PowerMeasurement;
}

const NS = 1e9;

/**
 * A context that holds the longest prompt and its reply (~3 characters a token, generously): Ollama's default
 * (2048 tokens on 0.5-0.11) would silently cut a long prompt's start, which the sidecar never does.
 */
export function contextFor(report: EvalReport): number {
  const longest = Math.max(0, ...report.examples.map((e) => e.prompt.reduce((n, m) => n + m.content.length + 16, 0)));
  return Math.min(131_072, Math.max(2048, 2 ** Math.ceil(Math.log2(Math.ceil(longest / 2.5) + report.settings.max_new_tokens + 64))));
}

async function answerAll(conn: OllamaConnection, model: string, report: EvalReport, o: OllamaLegOptions, stage: string): Promise<Answers> {
  const options = { temperature: 0, num_predict: report.settings.max_new_tokens, seed: 42, num_ctx: contextFor(report) };
  const chat = async (messages: ChatMessage[], opts: Record<string, number>) => {
    try {
      return await conn.client.chat({ model, messages, stream: false, options: opts });
    } catch (err) {
      throw toOllamaError(err, conn.baseUrl, `asking ${model}`);
    }
  };
  o.onProgress?.({ stage, done: 0, total: report.examples.length, unit: 'reply' });
  // Loads the model, so the rows measure answering, not loading.
  await chat([{ role: 'user', content: 'Hi' }], { ...options, num_predict: 1 });
  const running = await conn.client.ps().catch(() => ({ models: [] as { name: string; model: string; size_vram: number }[] }));
  const entry = running.models.find((m) => m.name === model || m.model === model || m.name === `${model}:latest`);
  const onGpu = (entry?.size_vram ?? 0) > 0;
  const sampler = onGpu ? new PowerSampler(o.ctx.env).start() : null;
  const out: Answers = { replies: [], evalCount: [], evalNs: [], latencyNs: [], power: notMeasured('Ollama ran this model on the CPU, so there was no GPU power to measure.') };
  try {
    for (const ex of report.examples) {
      if (o.signal?.aborted) throw new HoneError('CANCELLED', 'The Ollama evaluation was stopped.');
      const messages = ex.prompt.filter((m) => m.role === 'system' || m.role === 'user' || m.role === 'assistant');
      const r = await chat(messages, options);
      out.replies.push((r.message?.content ?? '').trim());
      out.evalCount.push(r.eval_count ?? 0);
      out.evalNs.push(r.eval_duration ?? 0);
      out.latencyNs.push(Math.max(0, (r.total_duration ?? 0) - (r.load_duration ?? 0)));
      o.onProgress?.({ stage, done: out.replies.length, total: report.examples.length, unit: 'reply' });
    }
  } finally {
    if (sampler) out.power = await sampler.stop();
  }
  return out;
}

function leg(scored: Pick<EvalLeg, 'rouge_l' | 'chrf' | 'exact_match' | 'json_valid' | 'json_same_keys' | 'length_ratio'>, a: Answers): EvalLeg {
  const tokens = a.evalCount.reduce((x, y) => x + y, 0);
  const seconds = a.evalNs.reduce((x, y) => x + y, 0) / NS;
  const r4 = (v: number) => Math.round(v * 10_000) / 10_000;
  return {
    ...scored,
    tokens_per_second: seconds > 0 ? r4(tokens / seconds) : null,
    latency_s: a.latencyNs.length ? r4(a.latencyNs.reduce((x, y) => x + y, 0) / a.latencyNs.length / NS) : null,
    generated_tokens: tokens,
    preference_accuracy: null,
    mean_margin: null,
  };
}

export async function runOllamaLeg(o: OllamaLegOptions): Promise<OllamaEval> {
  const { report, target } = o;
  if (report.n === 0) throw new HoneError('BAD_REQUEST', 'The report has no rows to send to Ollama.', 'Run the evaluation first.');
  const conn = connect(o.ctx);
  const status = await ollamaStatus(conn.baseUrl, 15_000);
  if (!status.running) throw new HoneError('OLLAMA_UNAVAILABLE', `Ollama is not running at ${conn.baseUrl}.`, status.hint ?? OLLAMA_START_HINT);
  const newest = target.exports.at(-1) ?? null;
  const tuned = o.tunedModel ?? newest?.name;
  if (!tuned) throw new HoneError('NOT_FOUND', `Run "${target.name}" has not been sent to Ollama yet.`, 'Send it first (Export, or `hone send-to-ollama`), or name the Ollama model to test.');
  const models = await listModels(conn);
  const known = (name: string) => models.some((m) => m.name === name || m.name === `${name}:latest`);
  if (!known(tuned)) throw new HoneError('MODEL_NOT_FOUND', `Ollama has no model named ${tuned}.`, 'Send the run to Ollama again, or name a model that `ollama list` shows.');
  o.onProgress?.({ stage: 'ollama_base_model', done: 0, total: null, unit: 'step' });
  const base = o.baseModel
    ? { name: o.baseModel, source: 'given' as const }
    : await ensureBaseInOllama(o.ctx, conn, target, newest, (p) => o.onProgress?.({ stage: `ollama_base_model: ${p.stage}`, done: p.done, total: p.total, unit: p.unit }));
  if (o.baseModel && !known(o.baseModel)) throw new HoneError('MODEL_NOT_FOUND', `Ollama has no model named ${o.baseModel}.`, 'Name a model that `ollama list` shows.');

  const baseAnswers = await answerAll(conn, base.name, report, o, 'ollama_base');
  const tunedAnswers = await answerAll(conn, tuned, report, o, 'ollama_tuned');
  o.onProgress?.({ stage: 'ollama_scoring', done: 0, total: 1, unit: 'step' });
  const refs = report.examples.map((e) => e.reference);
  const scored = await scoreSets({ python: o.python, pythonRuntimeDir: o.ctx.paths.pythonRuntimeDir, env: o.ctx.env }, {
    base: { predictions: baseAnswers.replies, references: refs },
    tuned: { predictions: tunedAnswers.replies, references: refs },
    agreement: { predictions: tunedAnswers.replies, references: report.examples.map((e) => e.tuned) },
  });
  o.onProgress?.({ stage: 'ollama_scoring', done: 1, total: 1, unit: 'step' });
  const tunedLeg = leg(scored.tuned.aggregate, tunedAnswers);
  return {
    models: { base: base.name, tuned },
    baseSource: base.source,
    host: conn.baseUrl,
    version: status.version,
    n: report.examples.length,
    base: leg(scored.base.aggregate, baseAnswers),
    tuned: tunedLeg,
    agreement: scored.agreement.aggregate.chrf,
    mismatch: servingMismatch(report.base, report.tuned, tunedLeg, tuned),
    examples: report.examples.map((_, i) => ({
      base: baseAnswers.replies[i],
      tuned: tunedAnswers.replies[i],
      scores: { base: scored.base.rows[i], tuned: scored.tuned.rows[i] },
    })),
    // The tuned model's draw: what the cost comparison uses, with the tuned model's speed.
    power: tunedAnswers.power,
    createdAt: new Date().toISOString(),
  };
}
