/**
 * `hone runs`: the run history (the same database as the app's Runs page). `hone runs show <id>`: one run
 * with its settings, checkpoints, files, exports and last log lines.
 */
import { parseArgs, UsageError } from '../args';
import { EXIT, type CliIO } from '../io';
import type { MetricPoint, RunDetail, RunSummary } from '../../shared/types/runs';
import type { TrainSettings } from '../../shared/types/memory';
import { accuracySentence, measuredAtPlan, memoryAccuracy } from '../../shared/run-memory';

export const summary = 'List training runs, or show one (status, loss, checkpoints, files, log)';

const HELP = `Usage: hone runs [--json]
       hone runs --memory [--json]
       hone runs show <run id> [--json]

--memory lists, per run, the planner's memory estimate against what was measured: the memory check at the start
of the run (its first probe is at the planned settings), its verdict and the settings it trained with, and the
training's peak; then how close the estimates were over the last runs.

Lists every run with its status, model, method, steps, duration and final loss (newest first), or shows
one run in full. Runs left training by a crash or kill show as "interrupted" and can be resumed in the app.`;

function duration(r: RunSummary): string {
  if (!r.startedAt) return '-';
  const s = Math.round(((r.endedAt ? Date.parse(r.endedAt) : Date.now()) - Date.parse(r.startedAt)) / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

const loss = (v: number | null) => (v === null ? '-' : v.toFixed(4));
const shortModel = (m: string) => (m.length > 32 ? `…${m.slice(-31)}` : m);

export function formatTable(runs: RunSummary[]): string {
  if (runs.length === 0) return 'No runs yet. Start one in the app, or with "hone train".';
  const rows = runs.map((r) => [
    r.id,
    r.status + (r.status === 'queued' && r.queuePosition ? ` #${r.queuePosition}` : '') + (r.resumable ? ' (resumable)' : ''),
    shortModel(r.model),
    `${r.objective}/${r.method}`,
    `${r.step}${r.maxSteps ? `/${r.maxSteps}` : ''}`,
    duration(r),
    loss(r.finalLoss),
  ]);
  const head = ['ID', 'STATUS', 'MODEL', 'METHOD', 'STEPS', 'TIME', 'LOSS'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

const gb = (v: number | null | undefined) => (typeof v === 'number' ? v.toFixed(v < 1 ? 2 : 1) : '-');
const settings = (s: TrainSettings | null | undefined) => (s ? `${s.batchSize}x${s.gradAccum} @${s.maxSeqLength}` : '-');

/** Estimate against measurement, run by run, and the accuracy sentences per device. */
export function formatMemory(runs: RunSummary[]): string {
  const withMemory = runs.filter((r) => r.memory);
  if (!withMemory.length) return 'No run has a memory record yet: runs started from this version on keep one.';
  const rows = withMemory.map((r) => {
    const m = r.memory!;
    const measured = measuredAtPlan(m);
    const err = measured !== null && m.plannedGb > 0 ? `${measured >= m.plannedGb ? '+' : ''}${((measured / m.plannedGb - 1) * 100).toFixed(0)}%` : '-';
    const budget = m.check ? `${gb(m.check.budgetGb)} GB` : '-';
    return [r.id, shortModel(r.model), m.device, settings(m.planned), gb(m.plannedGb), gb(measured), err, budget, m.check?.verdict.replace(/_/g, ' ') ?? '-', settings(m.check?.applied), gb(m.trainingPeakGb)];
  });
  const head = ['ID', 'MODEL', 'DEVICE', 'PLANNED AT', 'ESTIMATE', 'MEASURED', 'ERROR', 'BUDGET', 'CHECK', 'TRAINED AT', 'TRAIN PEAK'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const table = [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
  const notes = (['cuda', 'cpu'] as const).map((d) => memoryAccuracy(runs, d)).filter((a) => a !== null).map((a) => accuracySentence(a!));
  return [
    ...table,
    '',
    'GB on the budget\'s basis: MEASURED is the memory check\'s first probe at the planned settings (GPU: torch\'s peak reserved',
    'plus the CUDA context; CPU: the process\'s memory growth), else the training peak of a run trained as planned.',
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}

export function formatDetail(r: RunDetail, lossPoints: MetricPoint[], logs: string[]): string {
  const lines = [
    `${r.name} (${r.id})`,
    `  status      ${r.status}${r.resumable ? ' (resumable)' : ''}`,
    `  model       ${r.model}`,
    `  dataset     ${r.config.dataset}`,
    `  method      ${r.objective} / ${r.method}, seq ${r.config.plan.max_seq_length}, batch ${r.config.plan.batch_size}x${r.config.plan.grad_accum}, lr ${r.config.learningRate ?? r.config.plan.learning_rate}`,
    `  steps       ${r.step}${r.maxSteps ? ` / ${r.maxSteps}` : ''}`,
    `  loss        first ${loss(lossPoints[0]?.value ?? null)}, final ${loss(r.finalLoss)}`,
    `  created     ${r.createdAt}`,
    `  time        ${duration(r)}${r.startedAt ? ` (started ${r.startedAt})` : ''}`,
    `  folder      ${r.outputDir}`,
  ];
  if (r.error) {
    lines.push(`  error       ${r.error.code}: ${r.error.message}`);
    if (r.error.hint) lines.push(`              ${r.error.hint}`);
    if (r.error.exitCode !== undefined && r.error.exitCode !== null) lines.push(`  exit code   ${r.error.exitCode}`);
  }
  if (r.memory) {
    const m = r.memory;
    lines.push(`  memory      planned ${gb(m.plannedGb)} GB at ${settings(m.planned)}${typeof m.trainingPeakGb === 'number' ? `; training peak ${gb(m.trainingPeakGb)} GB reserved` : ''}`);
    if (m.check) lines.push(`              ${m.check.message}`);
  }
  if (r.checkpoints.length) lines.push(`  checkpoints ${r.checkpoints.map((c) => c.step).join(', ')}`);
  for (const a of r.artifacts) lines.push(`  ${a.kind.padEnd(11)} ${a.path}`);
  for (const e of r.exports) lines.push(`  ollama      ${e.name} (${e.quantize}) ${e.createdAt}`);
  if (logs.length) lines.push('', 'Last log lines:', ...logs.map((l) => `  ${l}`));
  return lines.join('\n');
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { boolean: ['json', 'memory'] });
  const [sub, id, ...extra] = args.positional;
  if (args.flags.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  const json = args.flags.json === true;
  const { handlers } = io.core();
  if (args.flags.memory === true && (sub === undefined || sub === 'list')) {
    const runs = await handlers['runs.list']();
    const summary = (['cuda', 'cpu'] as const).map((d) => memoryAccuracy(runs, d)).filter((a) => a !== null);
    io.out(json ? JSON.stringify({ runs: runs.filter((r) => r.memory).map((r) => ({ id: r.id, model: r.model, memory: r.memory, measuredAtPlanGb: measuredAtPlan(r.memory) })), accuracy: summary }, null, 2) : formatMemory(runs));
    return EXIT.OK;
  }
  if (sub === undefined || sub === 'list') {
    const runs = await handlers['runs.list']();
    io.out(json ? JSON.stringify(runs, null, 2) : formatTable(runs));
    return EXIT.OK;
  }
  if (sub !== 'show') throw new UsageError(`unknown subcommand "${sub}": use "hone runs" or "hone runs show <id>".`);
  if (!id || extra.length) throw new UsageError('give one run id: hone runs show <id> (ids are listed by "hone runs")');
  const detail = await handlers['runs.get']({ runId: id });
  const lossPoints = await handlers['runs.metrics']({ runId: id, names: ['loss'] });
  if (json) {
    io.out(JSON.stringify({ ...detail, loss: lossPoints.map((p) => [p.step, p.value]) }, null, 2));
  } else {
    io.out(formatDetail(detail, lossPoints, await handlers['runs.logs']({ runId: id, limit: 15 })));
  }
  return EXIT.OK;
}
