/**
 * Send to Ollama: a finished run → a named Ollama model with the right chat template. Every check that can
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
import { createModel } from './create';
import type { DigestCache } from './digest-cache';
import { OLLAMA_START_HINT } from './errors';
import { readRunOutputs, type FolderFile } from './model-folder';
import { assertModelName, withDefaultTag } from './names';
import { ExportReporter } from './progress';
import { chooseRoute, type ExportRoute } from './route';
import type { RunAccess } from './run-source';
import { CHAT_FORMATS } from './templates';

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
}

export type SendRequest = Omit<SendToOllamaRequest, 'runId'> & { run: string; exportId?: string };

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
    let digest = deps.digests.get(f.path);
    if (digest) reporter.add(f.size, f.name);
    else {
      digest = await hashFile(f.path, (n) => reporter.add(n, f.name));
      deps.digests.set(f.path, digest);
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

export async function sendToOllama(req: SendRequest, deps: SendDeps): Promise<SendResult> {
  const exportId = req.exportId ?? `exp_${crypto.randomBytes(6).toString('hex')}`;
  const quantize = req.quantize ?? 'q4_K_M';
  if (!QUANTIZATIONS.includes(quantize)) throw new HoneError('BAD_REQUEST', `Unknown quantisation "${quantize}".`, `Choose one of ${QUANTIZATIONS.join(', ')}.`);
  assertModelName(req.name);
  const run = await deps.access.runs.get(req.run);
  if (run.status && run.status !== 'completed') {
    throw new HoneError('NOT_EXPORTABLE', `Run "${run.name}" is ${run.status}; only a completed run can be sent to Ollama.`, run.status === 'training' ? 'Wait for it to finish.' : 'Resume it or start a new run.');
  }
  const outputs = readRunOutputs(run.outputDir);
  const version = await ensureOllama(deps.baseUrl);
  const route = await chooseRoute(outputs, catalogFacts(deps.resourcesDir, run.modelId), version, deps.client);
  const fullName = withDefaultTag(req.name);
  const existing = await listModels({ baseUrl: deps.baseUrl, client: deps.client });
  if (!req.overwrite && existing.some((m) => m.name.toLowerCase() === fullName.toLowerCase())) {
    throw new HoneError('MODEL_EXISTS', `Ollama already has a model named ${fullName}.`, 'Pick another name, or confirm to replace it.');
  }

  const reporter = new ExportReporter({ exportId, runId: run.id }, deps.emit);
  const digests = await hashAll(route.folder.files, deps, reporter);
  const { uploaded, skipped } = await uploadAll(digests, deps, reporter);

  const format = CHAT_FORMATS[route.family];
  const fileMap = Object.fromEntries([...digests].map(([f, d]) => [f.name, d]));
  // f16 is what the importer produces anyway; sending no `quantize` keeps older servers on their default path.
  const wantQuantize = route.kind === 'merged' && quantize !== 'f16' ? quantize : undefined;
  reporter.start('creating', null, route.kind === 'merged' ? 'converting the safetensors' : `adding the adapter to ${route.base}`);
  await createModel(
    deps.baseUrl,
    {
      model: req.name,
      ...(route.kind === 'merged' ? { files: fileMap } : { from: route.base, adapters: fileMap }),
      template: format.template,
      parameters: { stop: format.stop },
      ...(req.system?.trim() ? { system: req.system.trim() } : {}),
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

  const after = await listModels({ baseUrl: deps.baseUrl, client: deps.client });
  const digest = after.find((m) => m.name.toLowerCase() === fullName.toLowerCase())?.digest ?? null;
  const record: OllamaExportRecord = {
    name: fullName,
    quantize: route.kind === 'merged' ? quantize : `adapter on ${route.base}`,
    digest,
    createdAt: new Date().toISOString(),
  };
  await deps.access.exports.add(run.id, record);
  reporter.start('done', null, `${fullName} is ready in Ollama`);
  return { exportId, runId: run.id, name: fullName, digest, route: route.kind, uploaded, skipped, record };
}
