/**
 * The model card: README.md in the run folder, in Hugging Face's model-card format (YAML front matter, then
 * Markdown), for whoever the adapter is shared with.
 *
 * What may go in is listed field by field (a whitelist): the base model, the training settings and figures
 * (counts, losses, time, hardware), the evaluation's aggregate scores, the exports' names. Never the user's
 * data: no row text, no file paths (a path names the user and their files), no evaluation examples. The front
 * matter's license, tags and datasets are what the user gives (datasets are never guessed from file names).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CardOptions } from '../../shared/types/exports';
import type { ModelSpec } from '../../shared/types/model';
import type { RunConfig } from '../../shared/types/runs';
import { loadCatalog } from '../catalog/catalog';
import type { ExportableRun } from '../ollama/run-source';
import { APP_VERSION } from '../version';
import type { EvalSummary, LegSummary } from './eval-summary';

export interface CardFacts {
  runName: string;
  trainedOn: string | null;
  baseModel: string | null;
  baseName: string | null;
  license: string;
  tags: string[];
  datasets: string[];
  objective: string | null;
  method: string | null;
  lora: { rank: number; alpha: number | null; dropout: number | null; targets: string[] } | null;
  loadIn4bit: boolean | null;
  learningRate: number | null;
  scheduler: string | null;
  warmupSteps: number | null;
  steps: number | null;
  maxSteps: number | null;
  epochs: number | null;
  seqLength: number | null;
  batch: number | null;
  gradAccum: number | null;
  hardware: string | null;
  peakGb: number | null;
  backend: string | null;
  seconds: number | null;
  tokens: number | null;
  trainRows: number | null;
  evalRows: number | null;
  firstLoss: number | null;
  finalLoss: number | null;
  bestEvalLoss: number | null;
  eval: EvalSummary | null;
  ollamaNames: string[];
  ggufFiles: string[];
  hasAdapter: boolean;
}

const LIST_MAX = 20;
const ITEM_MAX = 100;

/** One user-given value: trimmed, on one line, printable, not too long. */
function cleanItem(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  // eslint-disable-next-line no-control-regex
  const s = v.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return s && s.length <= ITEM_MAX ? s : null;
}

export function cleanCardOptions(o: CardOptions | undefined): { license: string | null; tags: string[]; datasets: string[] } {
  const list = (xs: unknown) => (Array.isArray(xs) ? [...new Set(xs.map(cleanItem).filter((x): x is string => !!x))].slice(0, LIST_MAX) : []);
  return { license: cleanItem(o?.license), tags: list(o?.tags), datasets: list(o?.datasets) };
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/** The catalogue entry of the base, by id or Hub id. */
function catalogEntry(resourcesDir: string, modelId: string | null): ModelSpec | null {
  if (!modelId) return null;
  try {
    return loadCatalog(resourcesDir).find((m) => m.id === modelId || m.hfId === modelId) ?? null;
  } catch {
    return null;
  }
}

/** The base's Hub id: the catalogue's, or the adapter's own when it names a Hub repository rather than a folder. */
export function baseHubId(run: ExportableRun, entry: ModelSpec | null): string | null {
  if (entry?.hfId) return entry.hfId;
  if (run.modelId && HUB_ID.test(run.modelId) && !fs.existsSync(run.modelId)) return run.modelId;
  const fromAdapter = str(readJson(path.join(run.outputDir, 'adapter', 'adapter_config.json'))?.base_model_name_or_path);
  return fromAdapter && HUB_ID.test(fromAdapter) && !fs.existsSync(fromAdapter) ? fromAdapter : null;
}

export interface CardSources {
  run: ExportableRun;
  resourcesDir: string;
  /** The run's config from the store (null for a folder the store does not know). */
  config: RunConfig | null;
  eval: EvalSummary | null;
  ollamaNames: string[];
  ggufFiles: string[];
  options?: CardOptions;
}

/** The card's facts from the run's summary.json (the sidecar's figures), the store's config and the catalogue. */
export function cardFacts(src: CardSources): CardFacts {
  const { run } = src;
  const summary = readJson(path.join(run.outputDir, 'summary.json')) ?? {};
  const cfg = (summary.config as Record<string, unknown> | undefined) ?? {};
  const plan = src.config?.plan;
  const data = (summary.data as Record<string, Record<string, unknown>> | undefined) ?? {};
  const entry = catalogEntry(src.resourcesDir, run.modelId);
  const opts = cleanCardOptions(src.options);
  const method = str(cfg.method) ?? plan?.method ?? null;
  const objective = str(summary.objective) ?? str(cfg.objective) ?? src.config?.objective ?? null;
  const rank = num(cfg.lora_rank) ?? plan?.lora_rank ?? null;
  const targets = Array.isArray(cfg.target_modules) ? (cfg.target_modules as unknown[]).filter((t): t is string => typeof t === 'string') : typeof cfg.target_modules === 'string' ? [cfg.target_modules] : (plan?.target_modules ?? []);
  const hasAdapter = fs.existsSync(path.join(run.outputDir, 'adapter', 'adapter_config.json'));
  const tags = [...new Set(['hone', ...(method && method !== 'full' ? ['lora', 'peft'] : []), ...(method === 'qlora' ? ['qlora'] : []), ...(objective ? [objective] : []), ...opts.tags])];
  return {
    runName: run.name,
    trainedOn: run.trainedAt ? run.trainedAt.slice(0, 10) : null,
    baseModel: baseHubId(run, entry),
    baseName: entry?.name ?? null,
    license: opts.license ?? entry?.license ?? 'other',
    tags,
    datasets: opts.datasets,
    objective,
    method,
    lora: method && method !== 'full' && rank ? { rank, alpha: num(cfg.lora_alpha) ?? plan?.lora_alpha ?? null, dropout: num(cfg.lora_dropout) ?? plan?.lora_dropout ?? null, targets } : null,
    loadIn4bit: typeof summary.load_in_4bit === 'boolean' ? summary.load_in_4bit : (plan?.load_in_4bit ?? null),
    learningRate: num(cfg.learning_rate) ?? src.config?.learningRate ?? plan?.learning_rate ?? null,
    scheduler: str(cfg.lr_scheduler),
    warmupSteps: num(cfg.warmup_steps),
    steps: num(summary.final_step),
    maxSteps: num(summary.max_steps) ?? num(cfg.max_steps) ?? src.config?.maxSteps ?? null,
    epochs: num(summary.epoch),
    seqLength: num(cfg.max_seq_length) ?? plan?.max_seq_length ?? null,
    batch: num(cfg.batch_size) ?? plan?.batch_size ?? null,
    gradAccum: num(cfg.grad_accum) ?? plan?.grad_accum ?? null,
    hardware: str(summary.device) ?? (plan?.device === 'cpu' ? 'cpu' : null),
    peakGb: num(summary.peak_reserved_gb),
    backend: str(summary.backend),
    seconds: num(summary.train_runtime_s) ?? num(summary.wall_seconds),
    tokens: num(summary.tokens_seen),
    trainRows: num(data.train?.rows),
    evalRows: num(data.eval?.rows) ?? num((data.eval_split as Record<string, unknown> | undefined)?.eval),
    firstLoss: num(summary.first_loss),
    finalLoss: num(summary.final_loss),
    bestEvalLoss: num(summary.best_eval_loss),
    eval: src.eval,
    ollamaNames: src.ollamaNames,
    ggufFiles: src.ggufFiles,
    hasAdapter,
  };
}

/** A YAML scalar as a JSON string: valid YAML for any text, with nothing to escape by hand. */
const y = (s: string) => JSON.stringify(s);

function frontMatter(f: CardFacts): string {
  const lines = ['---'];
  if (f.baseModel) lines.push(`base_model: ${y(f.baseModel)}`);
  if (f.hasAdapter) lines.push('library_name: peft');
  lines.push(`license: ${y(f.license)}`, 'pipeline_tag: text-generation', 'tags:', ...f.tags.map((t) => `- ${y(t)}`));
  if (f.datasets.length) lines.push('datasets:', ...f.datasets.map((d) => `- ${y(d)}`));
  lines.push('---');
  return lines.join('\n');
}

const METHOD_NAMES: Record<string, string> = { lora: 'LoRA', qlora: 'QLoRA (LoRA on a 4-bit base)', full: 'Full fine-tuning' };

function duration(s: number): string {
  if (s < 60) return `${s.toFixed(0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const fix = (n: number | null, d = 3) => (n === null ? '—' : n.toFixed(d));
/** Markdown table cells: one line, no pipes. */
const cell = (s: string) => s.replace(/\s+/g, ' ').replace(/\|/g, '\\|');

function trainingRows(f: CardFacts): [string, string][] {
  const rows: [string, string][] = [];
  if (f.method) {
    const lora = f.lora ? ` (rank ${f.lora.rank}${f.lora.alpha !== null ? `, alpha ${f.lora.alpha}` : ''}${f.lora.dropout !== null ? `, dropout ${f.lora.dropout}` : ''})` : '';
    rows.push(['Method', `${METHOD_NAMES[f.method] ?? f.method}${lora}`]);
    if (f.lora?.targets.length) rows.push(['LoRA target modules', f.lora.targets.map((t) => `\`${t}\``).join(', ')]);
  }
  if (f.objective) rows.push(['Objective', f.objective === 'dpo' ? 'DPO (preference pairs)' : 'SFT (supervised fine-tuning)']);
  if (f.loadIn4bit !== null) rows.push(['Base weights while training', f.loadIn4bit ? '4-bit (bitsandbytes NF4)' : '16-bit']);
  if (f.learningRate !== null) rows.push(['Learning rate', `${f.learningRate}${f.scheduler ? ` (${f.scheduler}${f.warmupSteps ? `, ${f.warmupSteps} warm-up steps` : ''})` : ''}`]);
  if (f.steps !== null) rows.push(['Steps', `${f.steps}${f.maxSteps && f.maxSteps !== f.steps ? ` of ${f.maxSteps}` : ''}${f.epochs !== null ? ` (${f.epochs.toFixed(2)} epochs)` : ''}`]);
  if (f.seqLength !== null) rows.push(['Sequence length', `${int(f.seqLength)} tokens`]);
  if (f.batch !== null) rows.push(['Batch', f.gradAccum && f.gradAccum > 1 ? `${f.batch} × ${f.gradAccum} gradient accumulation = ${f.batch * f.gradAccum}` : String(f.batch)]);
  if (f.hardware) rows.push(['Hardware', `${f.hardware}${f.peakGb !== null ? `, peak ${f.peakGb.toFixed(1)} GB reserved` : ''}`]);
  if (f.backend) rows.push(['Trainer', f.backend === 'unsloth' ? 'Unsloth' : 'transformers + PEFT + TRL']);
  if (f.seconds !== null) rows.push(['Training time', duration(f.seconds)]);
  if (f.trainRows !== null || f.tokens !== null) rows.push(['Data', [f.trainRows !== null ? `${int(f.trainRows)} training rows` : null, f.tokens ? `${int(f.tokens)} tokens seen` : null, f.evalRows ? `${int(f.evalRows)} held-out rows` : null].filter(Boolean).join(', ')]);
  if (f.firstLoss !== null && f.finalLoss !== null) rows.push(['Training loss', `${fix(f.firstLoss)} → ${fix(f.finalLoss)}${f.bestEvalLoss !== null ? ` (best evaluation loss ${fix(f.bestEvalLoss)})` : ''}`]);
  return rows;
}

const METRICS: [keyof LegSummary, string][] = [
  ['rouge_l', 'ROUGE-L'],
  ['chrf', 'chrF'],
  ['exact_match', 'Exact match'],
  ['json_valid', 'Valid JSON'],
  ['preference_accuracy', 'Preference accuracy'],
  ['tokens_per_second', 'Tokens / s'],
];

function evalSection(e: EvalSummary | null): string[] {
  if (!e) {
    return ['## Evaluation', '', 'No evaluation report yet. Evaluate the run in Hone (Runs → the run → Evaluate, or `hone eval <run>`) and export again: the scores appear here.', ''];
  }
  const rows = METRICS.filter(([k]) => e.base[k] !== null || e.tuned[k] !== null);
  const o = e.ollama;
  const lines = [
    '## Evaluation',
    '',
    `${e.n} held-out rows, greedy decoding, the base model against this fine-tune${e.device ? ` (${cell(e.device)})` : ''}${o ? `; the same rows through Ollama (${o.n} rows) in the last two columns` : ''}.`,
    '',
    `| Metric | Base | Fine-tuned | Change |${o ? ' Base in Ollama | Fine-tuned in Ollama |' : ''}`,
    `|---|---:|---:|---:|${o ? '---:|---:|' : ''}`,
  ];
  for (const [k, label] of rows) {
    const [b, t] = [e.base[k], e.tuned[k]];
    const d = k === 'tokens_per_second' ? 1 : 3;
    const change = b !== null && t !== null ? `${t - b >= 0 ? '+' : ''}${(t - b).toFixed(d)}` : '—';
    lines.push(`| ${label} | ${fix(b, d)} | ${fix(t, d)} | ${change} |${o ? ` ${fix(o.base[k], d)} | ${fix(o.tuned[k], d)} |` : ''}`);
  }
  lines.push('');
  return lines;
}

function usage(f: CardFacts): string[] {
  const lines = ['## Use it', ''];
  if (f.hasAdapter) {
    const base = f.baseModel ?? '<the base model>';
    lines.push(
      'With 🤗 Transformers and PEFT, from this folder (or the unzipped adapter bundle):',
      '',
      '```python',
      'from transformers import AutoModelForCausalLM, AutoTokenizer',
      'from peft import PeftModel',
      '',
      `base = AutoModelForCausalLM.from_pretrained(${y(base)})`,
      'model = PeftModel.from_pretrained(base, "path/to/this/folder")',
      'tokenizer = AutoTokenizer.from_pretrained("path/to/this/folder")  # carries the chat template training used',
      '```',
      '',
    );
  }
  if (f.ollamaNames.length) lines.push(`In Ollama: ${f.ollamaNames.map((n) => `\`ollama run ${n}\``).join(', ')}.`, '');
  if (f.ggufFiles.length) lines.push(`GGUF files (llama.cpp, LM Studio, Ollama), with the chat template inside: ${f.ggufFiles.map((g) => `\`${g}\``).join(', ')}.`, '');
  return lines;
}

export function modelCard(f: CardFacts): string {
  const base = f.baseModel ? `[${f.baseName ?? f.baseModel}](https://huggingface.co/${f.baseModel})` : f.baseName ? f.baseName : 'a local base model';
  const what = f.hasAdapter ? `A ${METHOD_NAMES[f.method ?? 'lora'] ?? 'LoRA'} adapter for ${base}` : `A fine-tune of ${base}`;
  const rows = trainingRows(f);
  return [
    frontMatter(f),
    '',
    `# ${cell(f.runName)}`,
    '',
    `${what}, trained with Hone${f.trainedOn ? ` on ${f.trainedOn}` : ''}.`,
    '',
    '## Training',
    '',
    '| Setting | Value |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`),
    '',
    ...evalSection(f.eval),
    ...usage(f),
    '## Data',
    '',
    'The training data is not part of this card or of the files exported with it; only its size is given above.',
    '',
    `<sub>Written by Hone ${APP_VERSION}.</sub>`,
    '',
  ].join('\n');
}

export const CARD_FILE = 'README.md';

/**
 * Writes README.md into the run folder (atomically) and returns its path and text. Only a run folder (it has
 * summary.json) gets the file: a model folder given to the CLI keeps its own README (written: false).
 */
export function writeModelCard(src: CardSources): { path: string; text: string; facts: CardFacts; written: boolean } {
  const facts = cardFacts(src);
  const text = modelCard(facts);
  const file = path.join(src.run.outputDir, CARD_FILE);
  if (!fs.existsSync(path.join(src.run.outputDir, 'summary.json'))) return { path: file, text, facts, written: false };
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
  return { path: file, text, facts, written: true };
}
