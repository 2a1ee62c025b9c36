/**
 * The export targets of a finished run besides Send to Ollama: what each can do now (for the Export step),
 * and running one. GGUF lives in gguf-export.ts; LM Studio reuses the run's GGUF file (making it first when
 * needed); the adapter bundle and the model card share the card.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { CardOptions, ExportTarget, ExportTargetInfo, FileExportRecord, FileExportResult, GgufQuantization } from '../../shared/types/exports';
import type { RunConfig } from '../../shared/types/runs';
import { ollamaStatus } from '../ollama/client';
import { readRunOutputs } from '../ollama/model-folder';
import type { ExportableRun } from '../ollama/run-source';
import { bundleEntries, writeBundle } from './adapter-bundle';
import { readEvalSummary } from './eval-summary';
import { assertExportable, exportGguf, type GgufDeps } from './gguf-export';
import { addToLmStudio, findLmStudio } from './lmstudio';
import { writeModelCard } from './model-card';
import { fileSlug } from './names';
import { FileReporter } from './progress';
import { quantsFor } from './quantizations';

export interface ExportDeps extends GgufDeps {
  /** The run's config from the store, for the model card (null for a folder the store does not know). */
  runConfig(run: ExportableRun): RunConfig | null;
}

export interface ExportRequest {
  run: string;
  target: ExportTarget;
  quantize?: GgufQuantization;
  card?: CardOptions;
  /** gguf: a .gguf file or a folder; adapter: a .zip file or a folder. */
  out?: string;
  overwrite?: boolean;
  exportId?: string;
}

export type ExportOutcome = FileExportResult & { extra?: Record<string, unknown> };

const newId = () => `exp_${crypto.randomBytes(6).toString('hex')}`;

function outFile(run: ExportableRun, defaultName: string, ext: string, out?: string, overwrite = false): string {
  if (!out) return path.join(run.outputDir, 'exports', defaultName);
  const abs = path.resolve(out);
  const file = abs.toLowerCase().endsWith(ext) ? abs : path.join(abs, defaultName);
  if (fs.existsSync(file) && !overwrite) throw new HoneError('BAD_REQUEST', `${file} already exists.`, 'Choose another path, or pass --overwrite to replace it.');
  return file;
}

function card(run: ExportableRun, deps: ExportDeps, options?: CardOptions) {
  return writeModelCard({
    run,
    resourcesDir: deps.resourcesDir,
    config: deps.runConfig(run),
    eval: readEvalSummary(run.outputDir),
    ollamaNames: [...new Set(deps.records.ollama(run).map((r) => r.name))],
    ggufFiles: [...new Set(deps.records.files(run, 'gguf').map((f) => path.basename(f.path)))],
    options,
  });
}

function record(run: ExportableRun, deps: ExportDeps, exportId: string, rec: FileExportRecord): ExportOutcome {
  deps.records.add(run, rec);
  return { ...rec, exportId, runId: run.id };
}

async function cardTarget(req: ExportRequest, deps: ExportDeps): Promise<ExportOutcome> {
  const exportId = req.exportId ?? newId();
  const run = await deps.access.runs.get(req.run);
  assertExportable(run, 'a model card');
  const reporter = new FileReporter({ exportId, runId: run.id, target: 'card' }, deps.emit);
  reporter.start('writing', null, 'items', 'README.md');
  const c = card(run, deps, req.card);
  if (!c.written) throw new HoneError('NOT_EXPORTABLE', `${run.outputDir} is not a Hone run folder (it has no summary.json), so its README.md is left alone.`, 'Export the adapter bundle instead: its zip carries the model card.');
  const out = record(run, deps, exportId, { target: 'card', path: c.path, createdAt: new Date().toISOString(), bytes: Buffer.byteLength(c.text), detail: c.facts.eval ? 'with the evaluation report' : 'no evaluation report yet' });
  reporter.start('done', null, 'items', c.path);
  return out;
}

async function adapterTarget(req: ExportRequest, deps: ExportDeps): Promise<ExportOutcome> {
  const exportId = req.exportId ?? newId();
  const run = await deps.access.runs.get(req.run);
  assertExportable(run, 'an adapter bundle');
  const outputs = readRunOutputs(run.outputDir);
  if (!outputs.adapter) bundleEntries(outputs, '', null); // throws the "no adapter" explanation
  const target = outFile(run, `${fileSlug(run.name)}-adapter.zip`, '.zip', req.out, req.overwrite);
  const reporter = new FileReporter({ exportId, runId: run.id, target: 'adapter' }, deps.emit);
  reporter.start('writing', null, 'items', 'the model card');
  const c = card(run, deps, req.card);
  if (c.written) record(run, deps, exportId, { target: 'card', path: c.path, createdAt: new Date().toISOString(), bytes: Buffer.byteLength(c.text) });
  const entries = bundleEntries(outputs, c.text, c.facts.baseModel);
  reporter.start('zipping', entries.filter((e) => e.file).reduce((s, e) => s + e.size, 0), 'bytes', path.basename(target));
  const bytes = await writeBundle(entries, target, (n) => reporter.add(n));
  reporter.flush();
  const out = record(run, deps, exportId, { target: 'adapter', path: target, createdAt: new Date().toISOString(), bytes, detail: entries.map((e) => e.name).join(', ') });
  reporter.start('done', null, 'items', target);
  return out;
}

async function lmstudioTarget(req: ExportRequest, deps: ExportDeps): Promise<ExportOutcome> {
  const exportId = req.exportId ?? newId();
  const run = await deps.access.runs.get(req.run);
  assertExportable(run, 'a GGUF file for LM Studio');
  // Before converting anything: a GGUF made for an LM Studio that is not there would be wasted time.
  if (!findLmStudio(deps.env)) {
    throw new HoneError('LMSTUDIO_NOT_FOUND', 'LM Studio is not set up for this user (no ~/.lmstudio folder).', 'Install LM Studio from https://lmstudio.ai and open it once, then add the model again; or save the GGUF file and open it in LM Studio yourself.');
  }
  const quantize = req.quantize ?? 'q4_K_M';
  const reporter = new FileReporter({ exportId, runId: run.id, target: 'lmstudio' }, deps.emit);
  let gguf = deps.records.files(run, 'gguf').filter((f) => f.quantize === quantize).at(-1)?.path;
  if (!gguf) {
    const made = await exportGguf({ run: req.run, quantize, exportId }, { ...deps, emit: (p) => reporter.relay({ stage: p.stage === 'done' ? 'gguf' : `gguf: ${p.stage}`, done: p.done, total: p.total, unit: p.unit, detail: p.detail }) });
    gguf = made.path;
  }
  const size = fs.statSync(gguf).size;
  reporter.start('linking', size, 'bytes', `into LM Studio's models folder`);
  const added = await addToLmStudio({ gguf, publisher: 'hone', model: `${fileSlug(run.name)}-GGUF`, env: deps.env, onBytes: (n) => reporter.add(n) });
  const out = record(run, deps, exportId, { target: 'lmstudio', path: added.path, createdAt: new Date().toISOString(), bytes: size, quantize, detail: `${added.id} in ${added.modelsDir} (${added.linked ? 'hard link: no extra space' : 'copied'})` });
  reporter.start('done', null, 'items', added.path);
  return out;
}

export async function runExport(req: ExportRequest, deps: ExportDeps): Promise<ExportOutcome> {
  switch (req.target) {
    case 'gguf': {
      const r = await exportGguf({ run: req.run, quantize: req.quantize, out: req.out, overwrite: req.overwrite, exportId: req.exportId }, deps);
      const { source, check, template, ...rest } = r;
      return { ...rest, extra: { source, check: check.summary, template: template ? { date: template.date, thinkingOff: template.thinkingOff } : null } };
    }
    case 'lmstudio':
      return lmstudioTarget(req, deps);
    case 'adapter':
      return adapterTarget(req, deps);
    case 'card':
      return cardTarget(req, deps);
    default:
      throw new HoneError('BAD_REQUEST', `Unknown export target "${String(req.target)}".`, 'Choose gguf, lmstudio, adapter or card.');
  }
}

/** Each target, whether it can run now and why not; cheap enough to ask on every visit to the Export step. */
export async function exportTargets(runRef: string, deps: ExportDeps): Promise<ExportTargetInfo[]> {
  const run = await deps.access.runs.get(runRef);
  const files = (t: ExportTarget) => deps.records.files(run, t);
  const notDone = run.status && run.status !== 'completed' ? `The run is ${run.status}; only a completed run can be exported.` : null;
  const outputs = readRunOutputs(run.outputDir);
  const status = await ollamaStatus(deps.baseUrl, 3000);
  const ollamaOk = status.running && !status.hint;
  const quantizations = quantsFor(status.version);
  const ggufNote = notDone ?? (!outputs.merged ? 'The run has no merged model (a GGUF file holds the whole model).' : !ollamaOk ? (status.hint ?? `Ollama is not running at ${deps.baseUrl}: it converts and quantises the model for the file. Start it, then save.`) : undefined);
  const gguf: ExportTargetInfo = {
    target: 'gguf',
    available: !ggufNote,
    note: ggufNote ?? (deps.records.ollama(run).length ? 'From the model in Ollama when it has this quantisation; otherwise Ollama converts it first (a temporary model, removed afterwards).' : 'Hone sends the run to Ollama first, which converts and quantises it (a temporary model, removed afterwards).'),
    quantizations,
    files: files('gguf'),
  };
  const place = findLmStudio(deps.env);
  const lmNote = notDone ?? (!place ? 'LM Studio is not set up for this user (no ~/.lmstudio folder): install it from lmstudio.ai and open it once.' : gguf.available || gguf.files.length ? undefined : ggufNote);
  return [
    gguf,
    { target: 'lmstudio', available: !lmNote, ...(lmNote ? { note: lmNote } : {}), quantizations, ...(place ? { location: place.modelsDir } : {}), files: files('lmstudio') },
    { target: 'adapter', available: !notDone && !!outputs.adapter, ...(notDone || !outputs.adapter ? { note: notDone ?? 'This run trained every weight: there is no LoRA adapter to bundle.' } : {}), files: files('adapter') },
    { target: 'card', available: !notDone, ...(notDone ? { note: notDone } : {}), location: path.join(run.outputDir, 'README.md'), files: files('card') },
  ];
}
