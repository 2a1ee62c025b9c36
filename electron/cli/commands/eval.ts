/**
 * `hone eval <run id | run folder>`: base vs tuned on held-out rows, in the sidecar and optionally through
 * Ollama, with the same report, verdict and numbers as the run page (the report is stored on the run).
 */
import fs from 'node:fs';
import path from 'node:path';
import { numberFlag, parseArgs, stringFlag, UsageError } from '../args';
import { EXIT, type CliIO } from '../io';
import { costComparison } from '../../shared/eval-cost';
import { metricRows, verdict } from '../../shared/eval-verdict';
import { toErrorInfo, type ErrorInfo } from '../../shared/errors';
import type { EvalProgressInfo, EvalReport } from '../../shared/types/eval';
import { renderReport } from '../../core/eval/handlers';
import { getEvalService, type EvalOutcome } from '../../core/eval/service';

export const summary = 'Evaluate a fine-tune against its base model on held-out rows (sidecar, and Ollama with --ollama)';

const HELP = `Usage: hone eval <run id | run folder> [--data FILE] [--limit N] [--ollama] [--json]

Both models answer each held-out row greedily, from the prompt the model was trained on; the replies are
scored against the reference (ROUGE-L, chrF, exact match, JSON validity where the references are JSON,
preference accuracy for DPO) and timed. The report is stored on the run (the run page shows it).

Options:
  --data FILE            held-out rows instead of the run's eval split (any format the dataset step reads)
  --limit N              evaluate the first N rows (default 50; 20 on a CPU)
  --max-new-tokens N     longest reply (default: from the length of the references)
  --ollama               also run the rows through Ollama: the run's newest export vs its base model
  --ollama-model NAME    the fine-tuned model in Ollama (default: the run's newest export)
  --ollama-base NAME     the base model in Ollama (default: the catalogue's, else one Hone creates)
  --ollama-only          only the Ollama leg, on the run's newest report
  --export FILE          also write the report, .html (self-contained) or .md
  --json                 print the report as JSON; progress goes to stderr

Exit status: 0 when the evaluation finished, 1 when it failed or was stopped, 2 for bad arguments.`;

function positive(args: ReturnType<typeof parseArgs>, name: string): number | undefined {
  const v = numberFlag(args, name);
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new UsageError(`--${name} must be a whole number of at least 1`);
  return v;
}

/** The JSON shape of `hone eval --json`: n, base, tuned, examples first, then what else the report knows. */
export function jsonReport(report: EvalReport, outcome: Pick<EvalOutcome, 'target' | 'record'>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { n, base, tuned, examples, ...rest } = report;
  const v = verdict(report);
  return {
    n,
    base,
    tuned,
    examples,
    run: { id: outcome.target.runId, name: outcome.target.name, folder: outcome.target.outputDir },
    eval_id: outcome.record?.id ?? null,
    verdict: { kind: v.kind, headline: v.headline, caveats: v.caveats },
    ...rest,
    ollama: report.ollama ?? null,
    ...extra,
  };
}

function table(report: EvalReport): string {
  const num = (v: number | null | undefined, d = 3) => (v === null || v === undefined ? '—' : v.toFixed(d));
  const o = report.ollama;
  const head = ['', 'base', 'tuned', ...(o ? ['ollama base', 'ollama tuned'] : [])];
  const rows = metricRows(report).map((r) => [r.label, num(r.base), num(r.tuned), ...(o ? [num(r.ollamaBase), num(r.ollamaTuned)] : [])]);
  rows.push(['tokens/s', num(report.base.tokens_per_second, 1), num(report.tuned.tokens_per_second, 1), ...(o ? [num(o.base.tokens_per_second, 1), num(o.tuned.tokens_per_second, 1)] : [])]);
  rows.push(['s/reply', num(report.base.latency_s, 2), num(report.tuned.latency_s, 2), ...(o ? [num(o.base.latency_s, 2), num(o.tuned.latency_s, 2)] : [])]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { string: ['data', 'limit', 'max-new-tokens', 'ollama-model', 'ollama-base', 'export'], boolean: ['json', 'ollama', 'ollama-only'] });
  if (args.flags.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  const [ref, ...extra] = args.positional;
  if (!ref || extra.length) throw new UsageError('give one run: its id or its folder. See --help.');
  const limit = positive(args, 'limit');
  const maxNewTokens = positive(args, 'max-new-tokens');
  const exportFile = stringFlag(args, 'export');
  if (exportFile && !/\.(html?|md|markdown)$/i.test(exportFile)) throw new UsageError('--export FILE must end in .html or .md');
  const ollamaOnly = args.flags['ollama-only'] === true;
  const withOllama = ollamaOnly || args.flags.ollama === true || args.flags['ollama-model'] !== undefined || args.flags['ollama-base'] !== undefined;
  const json = args.flags.json === true;
  const data = stringFlag(args, 'data');
  const ollamaModel = stringFlag(args, 'ollama-model');
  const ollamaBase = stringFlag(args, 'ollama-base');

  const { ctx } = io.core();
  const service = getEvalService(ctx);
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    io.err('Stopping after the reply in progress (Ctrl-C again to quit now)...');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  let last = '';
  const onProgress = (p: EvalProgressInfo) => {
    const pct = p.total ? Math.floor((10 * p.done) / p.total) * 10 : null;
    const key = `${p.stage}|${pct}`;
    if (key === last || p.stage === 'done') return;
    last = key;
    const unit = p.unit === 'reply' ? 'replies' : `${p.unit}s`;
    io.err(`${p.stage.replace(/_/g, ' ')}${p.total ? ` ${p.done}/${p.total} ${unit}` : ''}`);
  };
  try {
    let outcome: EvalOutcome | null = null;
    if (!ollamaOnly) {
      outcome = await service.run(ref, { data, limit, maxNewTokens, trigger: 'cli', cwd: process.cwd(), signal: abort.signal, onProgress });
    }
    let ollamaError: ErrorInfo | null = null;
    if (withOllama && !abort.signal.aborted && (!outcome || outcome.status === 'completed')) {
      try {
        outcome = await service.ollama(ref, { tunedModel: ollamaModel, baseModel: ollamaBase, cwd: process.cwd(), signal: abort.signal, onProgress });
      } catch (err) {
        if (ollamaOnly || !outcome) throw err;
        ollamaError = toErrorInfo(err);
        io.err(`hone eval: the Ollama leg failed: ${ollamaError.message}${ollamaError.hint ? `\n  ${ollamaError.hint}` : ''}`);
      }
    }
    const report = outcome!.report!;
    if (exportFile) {
      const file = path.resolve(exportFile);
      const meta = { runId: outcome!.target.runId, runName: outcome!.target.name, model: outcome!.target.modelRef ?? report.models.base, generatedAt: new Date().toISOString(), dataSource: outcome!.record?.dataSource ?? null };
      fs.writeFileSync(file, renderReport(report, meta, /\.md|\.markdown$/i.test(file) ? 'markdown' : 'html', ctx.settings.get().evalCost ?? null).content);
      io.err(`Report written to ${file}`);
    }
    const stopped = outcome!.status === 'stopped';
    if (json) {
      const cost = costComparison(report, ctx.settings.get().evalCost);
      io.out(JSON.stringify(jsonReport(report, outcome!, { status: outcome!.status, cost, ...(ollamaError ? { ollama_error: ollamaError } : {}) }), null, 2));
    } else {
      const v = verdict(report);
      io.out([`${outcome!.target.name}: ${report.n} held-out row${report.n === 1 ? '' : 's'}${stopped ? ' (stopped early)' : ''}, ${report.device}`, '', v.headline, ...v.caveats.map((c) => `! ${c}`), '', table(report)].join('\n'));
      if (outcome!.record) io.out(`\nStored on run ${outcome!.target.runId}: the run page shows it, with examples and costs.`);
    }
    return stopped || ollamaError ? EXIT.FAIL : EXIT.OK;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
