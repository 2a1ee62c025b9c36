/**
 * The model catalogue (resources/models.json) and the one way every domain turns a model reference — a
 * catalogue id, "local:<path>" or a folder path — into a ModelSpec.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { ChatTemplateFamily, ModelSpec } from '../../shared/types/model';
import { perContext, type CoreContext } from '../context';
import { inspectModelFolder } from './inspect-folder';

const TEMPLATE_FAMILIES: readonly ChatTemplateFamily[] = ['llama3', 'chatml', 'mistral', 'gemma', 'phi3', 'phi4'];
const NUMBER_FIELDS = ['paramsB', 'layers', 'hiddenSize', 'heads', 'kvHeads', 'intermediateSize', 'vocabSize', 'maxPositionEmbeddings'] as const;

/** Problems with one catalogue entry, empty when it is sound. */
export function validateEntry(m: Partial<ModelSpec>): string[] {
  const errs: string[] = [];
  if (typeof m.id !== 'string' || !/^[a-z0-9][a-z0-9.-]*$/.test(m.id)) errs.push('id must be lower-case letters, digits, dots and dashes');
  if (typeof m.name !== 'string' || !m.name) errs.push('name is missing');
  for (const f of NUMBER_FIELDS) if (typeof m[f] !== 'number' || !(m[f]! > 0)) errs.push(`${f} must be a positive number`);
  if (m.heads && m.kvHeads && m.heads % m.kvHeads !== 0) errs.push('heads must be a multiple of kvHeads');
  if (typeof m.architecture !== 'string' || !m.architecture.endsWith('ForCausalLM') && !m.architecture.endsWith('ForConditionalGeneration')) errs.push('architecture must be a Hugging Face class name');
  if (!TEMPLATE_FAMILIES.includes(m.chatTemplate as ChatTemplateFamily)) errs.push(`chatTemplate must be one of ${TEMPLATE_FAMILIES.join(', ')}`);
  if (!m.demo) {
    if (typeof m.hfId !== 'string' || !m.hfId.includes('/')) errs.push('hfId must be an owner/name repository');
    if (typeof m.hfId4bit !== 'string' || !/^unsloth\/.+-bnb-4bit$/.test(m.hfId4bit)) errs.push('hfId4bit must be an unsloth/...-bnb-4bit repository');
  }
  if (typeof m.license !== 'string' || !m.license) errs.push('license is missing');
  if (typeof m.gated !== 'boolean') errs.push('gated must be true or false');
  if (typeof m.ollamaImport !== 'boolean') errs.push('ollamaImport must be true or false');
  return errs;
}

export function loadCatalog(resourcesDir: string): ModelSpec[] {
  const file = path.join(resourcesDir, 'models.json');
  let doc: { models?: unknown };
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { models?: unknown };
  } catch (err) {
    throw new HoneError('INTERNAL', `The model catalogue ${file} cannot be read: ${(err as Error).message}`, 'Reinstall Hone: its resources folder is damaged.');
  }
  if (!Array.isArray(doc.models)) throw new HoneError('INTERNAL', `The model catalogue ${file} has no "models" list.`);
  const seen = new Set<string>();
  return (doc.models as Partial<ModelSpec>[]).map((m, i) => {
    const errs = validateEntry(m);
    if (m.id && seen.has(m.id)) errs.push('id is used twice');
    if (errs.length) throw new HoneError('INTERNAL', `models.json entry ${i + 1} (${m.id ?? '?'}): ${errs.join('; ')}`);
    seen.add(m.id!);
    return m as ModelSpec;
  });
}

export const getCatalog = perContext((ctx: CoreContext) => loadCatalog(ctx.paths.resourcesDir));

const LOCAL_PREFIX = 'local:';

/** True when the reference names a folder rather than a catalogue id. */
export function isFolderRef(ref: string): boolean {
  return ref.startsWith(LOCAL_PREFIX) || path.isAbsolute(ref) || ref.startsWith('.') || ref.includes('/') || ref.includes(path.sep) || ref.startsWith('~');
}

/** Catalogue id, "local:<path>" or a folder path -> ModelSpec; `cwd` resolves relative paths (the CLI's). */
export function resolveModel(catalogue: ModelSpec[], ref: string, cwd = process.cwd()): ModelSpec {
  const trimmed = ref.trim();
  if (!trimmed) throw new HoneError('BAD_REQUEST', 'No model was given.', 'Pick a model from the catalogue or give the path of a model folder.');
  const hit = catalogue.find((m) => m.id === trimmed);
  if (hit) return hit;
  if (!isFolderRef(trimmed)) {
    throw new HoneError('MODEL_NOT_FOUND', `"${trimmed}" is not in the model catalogue.`, `Run "hone plan --help" or open the Model step for the list; a local model folder works too (give its path).`);
  }
  let raw = trimmed.startsWith(LOCAL_PREFIX) ? trimmed.slice(LOCAL_PREFIX.length) : trimmed;
  if (raw === '~' || raw.startsWith('~/')) raw = path.join(os.homedir(), raw.slice(1));
  return inspectModelFolder(path.resolve(cwd, raw));
}
