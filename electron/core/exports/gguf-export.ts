/**
 * Save as GGUF: a finished run → `<name>-<quant>.gguf`, the file llama.cpp, LM Studio and Ollama load.
 *
 * Ollama already converts and quantises on create, and its model layer IS a GGUF file, so Hone ships no
 * converter of its own: it takes the layer of the run's Ollama model at that quantisation (one the user sent,
 * if it is still there unchanged; otherwise one it creates for the export and removes afterwards), finds the
 * blob on disk (ollama-layer.ts) and writes a copy whose metadata gets back what Hone's upload strips: the
 * model's own chat template and the tokenizer's BOS/EOS behaviour (gguf-template.ts). The copy is checked
 * before it is reported.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Ollama } from 'ollama';
import { HoneError } from '../../shared/errors';
import type { FileExportProgress, FileExportResult, GgufQuantization } from '../../shared/types/exports';
import { checkImportable } from '../ollama/architectures';
import { catalogFacts } from '../ollama/catalog-entry';
import { listModels, ollamaStatus } from '../ollama/client';
import { deleteModel } from '../ollama/create';
import type { DigestCache } from '../ollama/digest-cache';
import { sendToOllama } from '../ollama/export';
import { localDay } from '../ollama/hf-template';
import { readRunOutputs } from '../ollama/model-folder';
import { templateFolder } from '../ollama/modelfile';
import type { ExportableRun, RunAccess } from '../ollama/run-source';
import { checkGguf, rewriteGguf, type GgufCheck } from './gguf-file';
import { ggufPrompt, type GgufTemplate } from './gguf-template';
import { fileSlug } from './names';
import { ollamaModelLayer } from './ollama-layer';
import { FileReporter } from './progress';
import { assertOllamaQuantizes, isGgufQuant, GGUF_QUANTS } from './quantizations';
import type { ExportRecords } from './records';

export interface GgufDeps {
  baseUrl: string;
  client: Ollama;
  access: RunAccess;
  records: ExportRecords;
  resourcesDir: string;
  digests: DigestCache;
  env: NodeJS.ProcessEnv;
  emit(p: FileExportProgress): void;
}

export interface GgufRequest {
  run: string;
  quantize?: GgufQuantization;
  /** A .gguf file or a folder; default: the run folder's exports/. */
  out?: string;
  /** Replace an existing file at an --out the user gave (the run folder's own copy is always replaced). */
  overwrite?: boolean;
  exportId?: string;
}

export interface GgufResult extends FileExportResult {
  quantize: GgufQuantization;
  /** The Ollama model whose layer was exported, and whether Hone created it for this export. */
  source: { model: string; created: boolean };
  check: GgufCheck;
  template: GgufTemplate | null;
}

/**
 * GGML file types (general.file_type) for each quantisation. Ollama's converter labels its unquantised output 1
 * (F16) even where it keeps bf16 tensors (convert.go, 0.11.4); 32 (BF16) is accepted as the same choice.
 */
const FILE_TYPES: Record<GgufQuantization, number[]> = { q4_K_M: [15], q5_K_M: [17], q8_0: [7], f16: [1, 32] };

export function ggufFileName(runName: string, quantize: GgufQuantization): string {
  return `${fileSlug(runName)}-${quantize}.gguf`;
}

export function assertExportable(run: ExportableRun, what: string): void {
  if (run.status && run.status !== 'completed') {
    throw new HoneError('NOT_EXPORTABLE', `Run "${run.name}" is ${run.status}; only a completed run can be exported as ${what}.`, run.status === 'training' ? 'Wait for it to finish.' : 'Resume it or start a new run.');
  }
}

/** The file to write: --out as a .gguf file, or a folder to put `<name>-<quant>.gguf` in. */
export function ggufTarget(run: ExportableRun, quantize: GgufQuantization, out?: string, overwrite = false): string {
  const name = ggufFileName(run.name, quantize);
  if (!out) return path.join(run.outputDir, 'exports', name);
  const abs = path.resolve(out);
  const file = abs.toLowerCase().endsWith('.gguf') ? abs : path.join(abs, name);
  if (fs.existsSync(file) && !overwrite) throw new HoneError('BAD_REQUEST', `${file} already exists.`, 'Choose another path, or pass --overwrite to replace it.');
  return file;
}

async function ollamaVersion(baseUrl: string): Promise<string | null> {
  const status = await ollamaStatus(baseUrl, 15_000);
  if (!status.running) {
    throw new HoneError(
      'OLLAMA_UNAVAILABLE',
      `Saving a GGUF file needs Ollama, which is not running at ${baseUrl}: Hone sends the run to Ollama, which converts and quantises it, and saves that file with the chat template added.`,
      'Start Ollama (the app, or `ollama serve`) and export again; not installed? Get it from https://ollama.com/download. The adapter bundle needs no Ollama.',
    );
  }
  if (status.hint) throw new HoneError('OLLAMA_ERROR', status.hint);
  return status.version;
}

/** The newest model this run was sent to Ollama as, at this quantisation, that Ollama still holds unchanged. */
async function reusableModel(run: ExportableRun, quantize: GgufQuantization, deps: GgufDeps): Promise<string | null> {
  const candidates = deps.records.ollama(run).filter((r) => r.quantize === quantize && r.digest);
  if (!candidates.length) return null;
  const models = await listModels({ baseUrl: deps.baseUrl, client: deps.client });
  for (const r of candidates.reverse()) if (models.some((m) => m.name === r.name && m.digest === r.digest)) return r.name;
  return null;
}

const SEND_STAGES: Record<string, string> = { hashing: 'checking the files', uploading: 'uploading to Ollama', creating: 'Ollama converts the model', quantizing: 'Ollama quantises the model', checking: 'Ollama finishes', done: 'the model is in Ollama' };

export async function exportGguf(req: GgufRequest, deps: GgufDeps): Promise<GgufResult> {
  const exportId = req.exportId ?? `exp_${crypto.randomBytes(6).toString('hex')}`;
  const quantize = req.quantize ?? 'q4_K_M';
  if (!isGgufQuant(quantize)) throw new HoneError('BAD_REQUEST', `Unknown quantisation "${String(quantize)}".`, `Choose one of ${GGUF_QUANTS.join(', ')}.`);
  const run = await deps.access.runs.get(req.run);
  assertExportable(run, 'a GGUF file');
  const outputs = readRunOutputs(run.outputDir);
  if (!outputs.merged) {
    throw new HoneError('NOT_EXPORTABLE', `Run "${run.name}" has no merged model, and a GGUF file holds the whole model.`, 'Train again with "merge at the end" on, or export the adapter bundle instead.');
  }
  const target = ggufTarget(run, quantize, req.out, req.overwrite);
  const version = await ollamaVersion(deps.baseUrl);
  assertOllamaQuantizes(version, quantize);
  const importable = checkImportable(outputs.merged, version, catalogFacts(deps.resourcesDir, run.modelId));
  if (!importable.ok) {
    throw new HoneError('UNSUPPORTED_ARCH', `${importable.reason} So Ollama cannot make its GGUF file.`, `Convert ${outputs.merged.dir} with llama.cpp (convert_hf_to_gguf.py, then llama-quantize), or export the adapter bundle.`);
  }

  const reporter = new FileReporter({ exportId, runId: run.id, target: 'gguf' }, deps.emit);
  let model = await reusableModel(run, quantize, deps);
  const created = !model;
  if (!model) {
    const scratch = `hone-gguf-${crypto.randomBytes(5).toString('hex')}`;
    reporter.start('converting', null, 'items', 'sending the run to Ollama, which converts and quantises it');
    const sent = await sendToOllama(
      { run: req.run, name: scratch, quantize, scratch: true, overwrite: true },
      { baseUrl: deps.baseUrl, client: deps.client, access: deps.access, resourcesDir: deps.resourcesDir, digests: deps.digests, emit: (p) => reporter.relay({ stage: 'converting', done: p.done, total: p.total, unit: p.unit, detail: `${SEND_STAGES[p.stage] ?? p.stage}${p.detail && p.stage !== 'done' ? ` (${p.detail})` : ''}` }) },
    );
    model = sent.name;
  }
  try {
    const layer = await ollamaModelLayer(deps.baseUrl, model, deps.env);
    const tplDir = templateFolder(outputs.merged, [outputs.adapter]);
    const prompt = ggufPrompt({ tokenizerDir: tplDir, date: localDay(run.trainedAt ? new Date(run.trainedAt) : new Date()), name: run.name });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    reporter.start('writing', layer.size, 'bytes', path.basename(target));
    const written = await rewriteGguf({ source: layer.localPath, target, patch: prompt.patch, expectedDigest: layer.digest, onBytes: (n) => reporter.add(n) });
    reporter.start('checking', null, 'items', 'reading the file back');
    const check = await checkGguf(target, written.header, { chatTemplate: prompt.chatTemplate, addBos: prompt.addBos });
    if (check.summary.fileType !== null && !FILE_TYPES[quantize].includes(check.summary.fileType)) {
      fs.rmSync(target, { force: true });
      throw new HoneError('INTERNAL', `Ollama's model ${model} is not ${quantize} (GGML file type ${check.summary.fileType}).`, 'Export again; Hone then makes a fresh copy in Ollama.');
    }
    const rec = { target: 'gguf' as const, path: target, createdAt: new Date().toISOString(), bytes: written.bytes, quantize, detail: check.text };
    deps.records.add(run, rec);
    reporter.start('done', null, 'items', target);
    return { ...rec, exportId, runId: run.id, source: { model, created }, check, template: prompt.template };
  } finally {
    // The temporary model goes; Ollama keeps blobs another model still uses.
    if (created) await deleteModel(deps.baseUrl, model).catch(() => undefined);
  }
}
