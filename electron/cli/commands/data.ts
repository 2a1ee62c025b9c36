/**
 * `hone data check <file>`: what Hone makes of a dataset (format, counts, token statistics, every problem
 * with its line), exit 0 when usable, 1 when not. `hone data import <file>`: normalise it into the data
 * folder for a run. Both run the same core code as the app's Dataset step.
 */
import path from 'node:path';
import { numberFlag, parseArgs, stringFlag, UsageError, type ParsedArgs } from '../args';
import { EXIT, type CliIO } from '../io';
import { FORMAT_ORDER } from '../../core/datasets/formats/fields';
import { importDataset } from '../../core/datasets/import';
import { resolveModelIn } from '../../core/datasets/model';
import { scanDataset } from '../../core/datasets/scan';
import type { ColumnMapping, DatasetFormat } from '../../shared/types/dataset';
import type { Progress } from '../../shared/types/progress';
import { formatReport } from '../../core/datasets/report-text';

export const summary = 'Check a dataset (format, problems with their lines, token statistics) or import it';

const HELP = `Usage: hone data check <file> [options]
       hone data import <file> [options]

Reads JSON Lines, JSON (an array, or an object holding one), CSV/TSV or Parquet; detects Alpaca, ShareGPT,
OpenAI messages, prompt/completion, plain text or DPO pairs; reports every problem with its line.
check exits 0 when the file is usable as it is, 1 when it is not (bad rows, or none good), 2 on a usage error.

Options:
  --format F          alpaca | sharegpt | messages | prompt_completion | text | dpo (default: detected)
  --map f=col,...     map our fields to your columns, e.g. --map instruction=question,output=answer
  --model M           catalogue id, model folder, or template family (chatml, llama3, mistral, gemma,
                      phi3, phi4): renders rows with its chat template; a folder's tokenizer gives exact counts
  --max-seq-len N     flag rows longer than N tokens (they would be truncated)
  --max-issues N      list at most N problems (default 10000; the counts always cover the whole file)
  --json              print the report as JSON
import only:
  --eval-percent P    hold out P% of the good rows for evaluation (seeded; default 0)
  --eval-file F       use another file as the evaluation set instead
  --seed N            seed of the split (default 42)
  --skip-bad          import the good rows and skip bad ones (default: refuse when any row is bad)`;

function mapping(args: ParsedArgs): ColumnMapping | undefined {
  const raw = stringFlag(args, 'map');
  if (raw === undefined) return undefined;
  const out: ColumnMapping = {};
  for (const pair of raw.split(',')) {
    const [field, column] = pair.split('=').map((s) => s.trim());
    if (!field || !column) throw new UsageError(`--map takes field=column pairs, got "${pair}"`);
    out[field] = column;
  }
  return out;
}

function positiveInt(args: ParsedArgs, name: string): number | undefined {
  const n = numberFlag(args, name);
  if (n !== undefined && !(Number.isInteger(n) && n > 0)) throw new UsageError(`--${name} must be a positive whole number`);
  return n;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { string: ['format', 'map', 'model', 'max-seq-len', 'max-issues', 'eval-percent', 'eval-file', 'seed'], boolean: ['json', 'skip-bad'] });
  const [sub, file, ...extra] = args.positional;
  if (args.flags.help || !sub) {
    io.out(HELP);
    return args.flags.help ? EXIT.OK : EXIT.USAGE;
  }
  if (sub !== 'check' && sub !== 'import') throw new UsageError(`unknown subcommand "${sub}": use check or import. See --help.`);
  if (!file || extra.length) throw new UsageError(`give one dataset file: hone data ${sub} <file>`);
  const format = stringFlag(args, 'format') as DatasetFormat | undefined;
  if (format !== undefined && !FORMAT_ORDER.includes(format)) throw new UsageError(`--format must be one of ${FORMAT_ORDER.join(', ')}`);
  const common = {
    path: path.resolve(file),
    format,
    mapping: mapping(args),
    maxSeqLength: positiveInt(args, 'max-seq-len') ?? null,
  };
  const maxIssues = positiveInt(args, 'max-issues') ?? 10_000;
  const json = args.flags.json === true;
  const { ctx } = io.core();
  const template = resolveModelIn(ctx, stringFlag(args, 'model'));
  // Large files take a while: a line on stderr every tenth of the way (stdout stays the report).
  let tenth = 0;
  const onProgress = (p: Progress) => {
    const t = p.total ? Math.floor((10 * p.done) / p.total) : 0;
    if (json || t <= tenth || t >= 10) return;
    tenth = t;
    io.err(`${p.stage} ${t * 10}% (${p.detail ?? ''})`);
  };

  if (sub === 'check') {
    const report = await scanDataset({ ...common, template, maxIssues, onProgress });
    io.out(json ? JSON.stringify(report) : formatReport(report, file));
    return report.usable ? EXIT.OK : EXIT.FAIL;
  }
  const evalPercent = numberFlag(args, 'eval-percent');
  if (evalPercent !== undefined && !(evalPercent >= 0 && evalPercent <= 50)) throw new UsageError('--eval-percent must be between 0 and 50');
  const evalFile = stringFlag(args, 'eval-file');
  const imported = await importDataset({
    ...common,
    template,
    maxIssues,
    dataDir: ctx.paths.dataDir,
    onProgress: (p) => {
      if (p.stage === 'writing' && tenth >= 9) tenth = 0; // the second pass reports its own tenths
      onProgress(p);
    },
    badRows: args.flags['skip-bad'] ? 'skip' : 'stop',
    evalPercent,
    evalPath: evalFile ? path.resolve(evalFile) : null,
    seed: numberFlag(args, 'seed'),
  });
  if (json) io.out(JSON.stringify(imported));
  else {
    io.out(formatReport(imported.report, file));
    io.out(`\nImported as ${imported.id}: ${imported.trainRows} training rows, ${imported.evalRows} eval rows, ${imported.skippedRows} skipped.`);
    io.out(`  ${imported.trainPath}${imported.evalPath ? `\n  ${imported.evalPath}` : ''}`);
  }
  return EXIT.OK;
}
