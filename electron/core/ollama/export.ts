/**
 * Send to Ollama: a finished run → a named Ollama model whose prompt is the one training saw (checked). Every check that can
 * fail (name, run state, Ollama reachable, architecture, existing name) runs before the first byte is read,
 * so a refusal is instant and nothing is half-sent.
 */
import crypto from 'node:crypto';
import type { Ollama } from 'ollama';
import { HoneError } from '../../shared/errors';
import type { ExportProgress, Quantization, SendToOllamaRequest } from '../../shared/types/ollama';
import type { OllamaExportRecord } from '../../shared/types/runs';
import { blobExists, hashFile, uploadBlob } from './blobs';
import { catalogFacts } from './catalog-entry';
import { listModels, ollamaStatus } from './client';
import { copyModel, createModel, deleteModel } from './create';
import type { DigestCache } from './digest-cache';
import { OLLAMA_START_HINT, toOllamaError } from './errors';
import { localDay } from './hf-template';
import { modelfileParts, templateFolder, type ModelfileParts } from './modelfile';
import { tokenizerFacts } from './render-probe';
import { checkTemplate, folderTokenCounter, type TemplateCheck } from './template-check';
import { withSanitisedConfig } from './upload-config';
import { readRunOutputs, type FolderFile } from './model-folder';
import { assertModelName, withDefaultTag } from './names';
import { ExportReporter } from './progress';
import { chooseRoute, type ExportRoute } from './route';
import type { RunAccess } from './run-source';

export const QUANTIZATIONS: readonly Quantization[] = ['q4_K_M', 'q8_0', 'f16'];

export interface SendDeps {
  baseUrl: string;
  client: Ollama;
  access: RunAccess;
  resourcesDir: string;
  digests: DigestCache;
  emit(p: ExportProgress): void;
}

export interface SendResult {
  exportId: string;
  runId: string;
  name: string;
  digest: string | null;
  route: ExportRoute['kind'];
  /** Blobs Ollama lacked and was sent, and those it already had. */
  uploaded: number;
  skipped: number;
  record: OllamaExportRecord;
  /** The prompt check: what Ollama renders against what training saw. */
  check: TemplateCheck;
}

export type SendRequest = Omit<SendToOllamaRequest, 'runId' | 'quantize'> & {
  run: string;
  exportId?: string;
  quantize?: string;
  /**
   * A model made only to take its GGUF file (exports/gguf-export.ts): not recorded on the run, its prompt not
   * checked (the file carries the model's own template), any quantisation the caller checked against the version.
   */
  scratch?: boolean;
};

async function ensureOllama(baseUrl: string): Promise<string | null> {
  // A busy server (quantising another model) may be slow to answer: wait longer than the status line does.
  const status = await ollamaStatus(baseUrl, 15_000);
  if (!status.running) throw new HoneError('OLLAMA_UNAVAILABLE', `Ollama is not running at ${baseUrl}.`, status.hint ?? OLLAMA_START_HINT);
  if (status.hint) throw new HoneError('OLLAMA_ERROR', status.hint);
  return status.version;
}

async function hashAll(files: FolderFile[], deps: SendDeps, reporter: ExportReporter): Promise<Map<FolderFile, string>> {
  const total = files.reduce((s, f) => s + f.size, 0);
  reporter.start('hashing', total);
  const digests = new Map<FolderFile, string>();
  for (const f of files) {
    let digest = f.ephemeral ? undefined : deps.digests.get(f.path);
    if (digest) reporter.add(f.size, f.name);
    else {
      digest = await hashFile(f.path, (n) => reporter.add(n, f.name));
      if (!f.ephemeral) deps.digests.set(f.path, digest);
    }
    digests.set(f, digest);
  }
  reporter.flush();
  return digests;
}

async function uploadAll(digests: Map<FolderFile, string>, deps: SendDeps, reporter: ExportReporter): Promise<{ uploaded: number; skipped: number }> {
  const missing: [FolderFile, string][] = [];
  for (const [f, d] of digests) if (!(await blobExists(deps.baseUrl, d))) missing.push([f, d]);
  reporter.start('uploading', missing.reduce((s, [f]) => s + f.size, 0), missing.length ? undefined : 'Ollama already has every file');
  for (const [f, d] of missing) await uploadBlob(deps.baseUrl, d, f.path, (n) => reporter.add(n, f.name));
  reporter.flush();
  return { uploaded: missing.length, skipped: digests.size - missing.length };
}

/** The created model's prompt against training's; a model that fails is deleted and the send refused. */
async function checkStaged(deps: SendDeps, staging: string, parts: ModelfileParts, countDir: string): Promise<TemplateCheck> {
  if (!parts.hf) return { ok: true, method: 'none', autoBos: false, probes: [], summary: `Unchecked: ${parts.fallback ?? 'no chat template'}, so the family template was used.` };
  try {
    return await checkTemplate({ baseUrl: deps.baseUrl, model: staging, hf: parts.hf, count: folderTokenCounter(countDir), modelSystem: parts.system });
  } catch (err) {
    await deleteModel(deps.baseUrl, staging).catch(() => undefined);
    throw toOllamaError(err, deps.baseUrl, 'checking the prompt it renders');
  }
}

export async function sendToOllama(req: SendRequest, deps: SendDeps): Promise<SendResult> {
  const exportId = req.exportId ?? `exp_${crypto.randomBytes(6).toString('hex')}`;
  const quantize = (req.quantize ?? 'q4_K_M') as Quantization;
  if (!req.scratch && !QUANTIZATIONS.includes(quantize)) throw new HoneError('BAD_REQUEST', `Unknown quantisation "${quantize}".`, `Choose one of ${QUANTIZATIONS.join(', ')}.`);
  assertModelName(req.name);
  const run = await deps.access.runs.get(req.run);
  if (run.status && run.status !== 'completed') {
    throw new HoneError('NOT_EXPORTABLE', `Run "${run.name}" is ${run.status}; only a completed run can be sent to Ollama.`, run.status === 'training' ? 'Wait for it to finish.' : 'Resume it or start a new run.');
  }
  const outputs = readRunOutputs(run.outputDir);
  // The version floor is checked here, before a byte is hashed: an old server would fail only after the upload.
  const version = await ensureOllama(deps.baseUrl);
  const route = await chooseRoute(outputs, catalogFacts(deps.resourcesDir, run.modelId), version, deps.client);
  const fullName = withDefaultTag(req.name);
  const existing = await listModels({ baseUrl: deps.baseUrl, client: deps.client });
  if (!req.overwrite && existing.some((m) => m.name.toLowerCase() === fullName.toLowerCase())) {
    throw new HoneError('MODEL_EXISTS', `Ollama already has a model named ${fullName}.`, 'Pick another name, or confirm to replace it.');
  }
  // A library base (adapter route) keeps its own tokenizer settings: where it adds BOS, the template must not.
  const autoBos = route.kind === 'adapter' ? (await tokenizerFacts(deps.baseUrl, route.base)).autoBos : false;
  const tplDir = templateFolder(route.folder, [outputs.merged, outputs.adapter]);
  const parts = modelfileParts({ dir: tplDir, family: route.family, date: localDay(run.trainedAt ? new Date(run.trainedAt) : new Date()), autoBos, system: req.system });

  const reporter = new ExportReporter({ exportId, runId: run.id }, deps.emit);
  const upload = route.kind === 'merged' ? withSanitisedConfig(route.folder.files, route.folder.dir) : { files: route.folder.files, cleanup: () => undefined };
  let check: TemplateCheck;
  let uploaded: number;
  let skipped: number;
  try {
    const digests = await hashAll(upload.files, deps, reporter);
    ({ uploaded, skipped } = await uploadAll(digests, deps, reporter));
    const fileMap = Object.fromEntries([...digests].map(([f, d]) => [f.name, d]));
    // f16 is what the importer produces anyway; sending no `quantize` keeps older servers on their default path.
    const wantQuantize = route.kind === 'merged' && quantize !== 'f16' ? quantize : undefined;
    // Created under a scratch name and checked there; only a model that passes takes the user's name, so a
    // refused send never replaces the model the user had under that name.
    const staging = `hone-check-${crypto.randomBytes(5).toString('hex')}:latest`;
    reporter.start('creating', null, route.kind === 'merged' ? 'converting the safetensors' : `adding the adapter to ${route.base}`);
    await createModel(
      deps.baseUrl,
      {
        model: staging,
        ...(route.kind === 'merged' ? { files: fileMap } : { from: route.base, adapters: fileMap }),
        template: parts.template,
        parameters: { stop: parts.stop },
        ...(parts.system ? { system: parts.system } : {}),
        ...(wantQuantize ? { quantize: wantQuantize } : {}),
      },
      (s) => {
        // Ollama reports quantisation in bytes ("quantizing F16 model to Q4_K_M"); every other line is a step.
        const total = /^quantizing/i.test(s.status) && typeof s.total === 'number' ? s.total : null;
        const stage = total !== null ? 'quantizing' : 'creating';
        if (reporter.current !== stage) reporter.start(stage, total, s.status);
        reporter.set(total !== null ? (s.completed ?? 0) : 0, total, s.status);
      },
    );
    reporter.start('checking', null, 'comparing the prompt Ollama renders with the one training saw');
    check = req.scratch ? { ok: true, method: 'none', autoBos: false, probes: [], summary: 'Not checked: a model made for a GGUF export.' } : await checkStaged(deps, staging, parts, tplDir);
    if (!check.ok) {
      await deleteModel(deps.baseUrl, staging).catch(() => undefined);
      const older = check.method === 'tokens' ? ' This Ollama only reports token counts (before 0.11.5); a newer Ollama lets Hone compare the text itself.' : '';
      throw new HoneError('TEMPLATE_MISMATCH', check.summary, `Nothing was changed in Ollama.${older} If it persists, report it with the run's tokenizer_config.json: Hone needs to learn this chat template.`);
    }
    await copyModel(deps.baseUrl, staging, fullName);
    await deleteModel(deps.baseUrl, staging);
  } finally {
    upload.cleanup();
  }

  const after = await listModels({ baseUrl: deps.baseUrl, client: deps.client });
  const digest = after.find((m) => m.name.toLowerCase() === fullName.toLowerCase())?.digest ?? null;
  const record: OllamaExportRecord = {
    name: fullName,
    quantize: route.kind === 'merged' ? quantize : `adapter on ${route.base}`,
    digest,
    createdAt: new Date().toISOString(),
    template: { source: parts.source, check: check.summary, date: parts.date, system: parts.system },
  };
  if (!req.scratch) await deps.access.exports.add(run.id, record);
  reporter.start('done', null, `${fullName} is ready in Ollama`);
  return { exportId, runId: run.id, name: fullName, digest, route: route.kind, uploaded, skipped, record, check };
}
