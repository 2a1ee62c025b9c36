/** `hone plan --model <id|folder> ...`: the training plan for this machine, or for a card you name. */
import path from 'node:path';
import type { Plan, PlanOverrides } from '../../shared/types/plan';
import { numberFlag, parseArgs, stringFlag, UsageError } from '../args';
import { EXIT, type CliIO } from '../io';
import { formatDuration } from '../../core/planner/eta';

export const summary = 'Plan a fine-tune that fits your GPU (method, sequence length, batch, VRAM)';

const HELP = `Usage: hone plan --model <catalogue id | path to a model folder> [options]

Options:
  --vram-gb N        plan for an NVIDIA card with N GB instead of this machine's GPU
  --seq-len N        max sequence length (default: 2048, or fitted to the dataset)
  --method M         qlora | lora | full (default: the policy picks LoRA or QLoRA)
  --objective O      sft | dpo (default sft)
  --batch N          per-device batch size
  --grad-accum N     gradient-accumulation steps
  --rank N           LoRA rank (default 16)
  --no-gc            turn gradient checkpointing off
  --data FILE        the dataset: fits the sequence length to it and, on a CPU, says how long the run takes
  --max-steps N      the run's length for that estimate (default: one epoch)
  --epochs N         or its number of epochs
  --calibrate        measure this machine's CPU training speed first (about 15 s; kept for later plans)
  --json             the plan as JSON
Exit codes: 0 the plan fits, 1 it does not (the output says why and what would), 2 usage error.
Catalogue ids: see the Model step, or "hone plan --list".`;

const OPTIONS = {
  string: ['model', 'vram-gb', 'seq-len', 'method', 'objective', 'batch', 'grad-accum', 'rank', 'data', 'max-steps', 'epochs'],
  boolean: ['no-gc', 'json', 'list', 'calibrate'],
};

function positiveInt(args: ReturnType<typeof parseArgs>, name: string): number | undefined {
  const n = numberFlag(args, name);
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new UsageError(`--${name} must be a whole number of 1 or more, got "${n}"`);
  return n;
}

export function overridesFrom(args: ReturnType<typeof parseArgs>): PlanOverrides {
  const o: PlanOverrides = {};
  const vram = numberFlag(args, 'vram-gb');
  if (vram !== undefined) {
    if (!(vram > 0)) throw new UsageError(`--vram-gb must be above 0, got "${vram}"`);
    o.vramGb = vram;
  }
  const method = stringFlag(args, 'method');
  if (method !== undefined) {
    if (!['qlora', 'lora', 'full'].includes(method)) throw new UsageError(`--method must be qlora, lora or full, got "${method}"`);
    o.method = method as PlanOverrides['method'];
  }
  const objective = stringFlag(args, 'objective');
  if (objective !== undefined) {
    if (!['sft', 'dpo'].includes(objective)) throw new UsageError(`--objective must be sft or dpo, got "${objective}"`);
    o.objective = objective as PlanOverrides['objective'];
  }
  const ints: [string, keyof PlanOverrides][] = [['seq-len', 'maxSeqLength'], ['batch', 'batchSize'], ['grad-accum', 'gradAccum'], ['rank', 'loraRank']];
  for (const [flag, key] of ints) {
    const n = positiveInt(args, flag);
    if (n !== undefined) (o as Record<string, number>)[key] = n;
  }
  if (args.flags['no-gc']) o.gradientCheckpointing = false;
  const maxSteps = positiveInt(args, 'max-steps');
  if (maxSteps !== undefined) o.maxSteps = maxSteps;
  const epochs = numberFlag(args, 'epochs');
  if (epochs !== undefined) {
    if (!(epochs > 0) || epochs > 1000) throw new UsageError(`--epochs must be above 0 and at most 1000, got "${epochs}"`);
    if (maxSteps !== undefined) throw new UsageError('give --max-steps or --epochs, not both');
    o.epochs = epochs;
  }
  return o;
}

const METHOD = { qlora: 'QLoRA (4-bit)', lora: 'LoRA (16-bit)', full: 'full fine-tuning' } as const;

function bar(plan: Plan, width = 40): string {
  const scale = width / Math.max(plan.vram_budget_gb, plan.estimated_vram_gb);
  const b = plan.breakdown;
  const seg = (gb: number, ch: string) => ch.repeat(Math.round(gb * scale));
  const used = seg(b.weightsGb, 'W') + seg(b.trainableGb, 'T') + seg(b.activationsGb, 'A') + seg(b.overheadGb, 'o');
  const free = '.'.repeat(Math.max(0, Math.round(plan.vram_budget_gb * scale) - used.length));
  return `[${used}${free}]  W weights, T adapter + optimiser, A activations, o CUDA/runtime`;
}

export function formatPlan(plan: Plan, modelName: string): string {
  const row = (k: string, v: string) => `  ${k.padEnd(20)}${v}`;
  const b = plan.breakdown;
  const lines = [
    `Plan for ${modelName} (${plan.objective.toUpperCase()}) on ${plan.device === 'cuda' ? `a ${plan.vram_budget_gb} GB VRAM budget` : 'the CPU'}: ${plan.fits ? 'FITS' : 'DOES NOT FIT'}`,
    '',
    row('Method', METHOD[plan.method]),
    row('Load in 4-bit', plan.load_in_4bit ? 'yes' : 'no'),
    row('Max seq length', String(plan.max_seq_length)),
    row('Batch', `${plan.batch_size} x ${plan.grad_accum} accumulation = ${plan.effective_batch}`),
    row('LoRA', plan.method === 'full' ? '-' : `rank ${plan.lora_rank}, alpha ${plan.lora_alpha}, dropout ${plan.lora_dropout} on ${plan.target_modules.join(', ')}`),
    row('Grad checkpointing', plan.gradient_checkpointing ? 'on' : 'off'),
    row('Optimiser', `${plan.optimizer}, learning rate ${plan.learning_rate.toExponential()}`),
    ...(plan.device === 'cpu' ? [row('Time on this CPU', plan.eta ? `about ${formatDuration(plan.eta.seconds)} (${plan.eta.steps} steps, ${plan.eta.tokens.toLocaleString('en')} tokens; speed ${plan.eta.measured ? 'measured' : 'not measured: hone plan --calibrate'})` : 'give --data to estimate it')] : []),
    row('Estimated VRAM', `${plan.estimated_vram_gb} GB of ${plan.vram_budget_gb} GB (headroom ${plan.headroom_gb} GB)`),
    row('  weights', `${b.weightsGb} GB`),
    row('  adapter+optimiser', `${b.trainableGb} GB`),
    row('  activations', `${b.activationsGb} GB`),
    row('  CUDA/runtime', `${b.overheadGb} GB`),
    `  ${bar(plan)}`,
    '',
    'Why:',
    ...plan.reasons.map((r) => `  - ${r}`),
  ];
  if (plan.suggestion) lines.push('', `Try: hone plan --model ${plan.suggestion.modelId}${plan.device === 'cuda' ? ` --vram-gb ${plan.vram_budget_gb}` : ''}`);
  return lines.join('\n');
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.flags.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}": give the model with --model.`);
  const core = io.core();
  if (args.flags.list) {
    const list = await core.handlers['catalog.list']();
    io.out(args.flags.json ? JSON.stringify(list.map((m) => ({ id: m.id, name: m.name, paramsB: m.paramsB }))) : list.map((m) => `${m.id.padEnd(28)} ${m.name} (${m.paramsB}B)`).join('\n'));
    return EXIT.OK;
  }
  const model = stringFlag(args, 'model');
  if (!model) throw new UsageError('--model is required: a catalogue id (hone plan --list) or the path of a model folder.');
  const overrides = overridesFrom(args);
  // The CLI resolves a relative folder against the directory it was started in.
  const isPath = model.startsWith('.') || model.startsWith('~') || path.isAbsolute(model) || model.includes('/') || model.includes(path.sep);
  const ref = isPath ? `local:${model.startsWith('~') ? model : path.resolve(process.cwd(), model)}` : model;
  if (args.flags.calibrate) {
    const speed = await core.handlers['plan.calibrate']({ force: true });
    if (!args.flags.json) io.err(`Measured: ${(speed.flopsPerSecond / 1e9).toFixed(1)} GFLOP/s (${speed.how}).`);
  }
  const data = stringFlag(args, 'data');
  // The same statistics the Dataset step computes (the model's own tokenizer when it is here).
  const datasetStats = data ? (await core.handlers['datasets.inspect']({ path: path.resolve(process.cwd(), data), model: ref })).stats : null;
  const plan = await core.handlers['plan.compute']({
    model: ref,
    overrides,
    datasetStats: datasetStats ? { rows: datasetStats.rows, meanTokens: datasetStats.meanTokens, p95Tokens: datasetStats.p95Tokens, maxTokens: datasetStats.maxTokens } : null,
  });
  if (args.flags.json) io.out(JSON.stringify(plan, null, 2));
  else {
    const name = plan.modelId.startsWith('local:') ? plan.modelId.slice(6) : ((await core.handlers['catalog.list']()).find((m) => m.id === plan.modelId)?.name ?? plan.modelId);
    io.out(formatPlan(plan, name));
  }
  return plan.fits ? EXIT.OK : EXIT.FAIL;
}
