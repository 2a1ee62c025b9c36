/**
 * What of a run's output goes to Ollama. A finished run folder holds `merged/` (16-bit safetensors, config,
 * tokenizer) when it was merged and `adapter/` (the LoRA) always; a plain Hugging Face model folder is
 * accepted too, as if it were `merged/`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { ChatTemplateFamily } from '../../shared/types/model';
import { detectFamily } from './templates';

/** Files Ollama's safetensors importer reads; anything else in the folder (optimizer state, README) stays home. */
const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json', 'tokenizer.model', 'added_tokens.json'];
const ADAPTER_FILES = ['adapter_config.json'];

export interface FolderFile {
  /** The name Ollama sees (relative to the folder). */
  name: string;
  path: string;
  size: number;
  /** A file Hone wrote for this send only (the sanitised tokenizer_config.json): hashed afresh, never cached. */
  ephemeral?: boolean;
}

export interface ModelFolder {
  dir: string;
  kind: 'merged' | 'adapter';
  files: FolderFile[];
  /** HF architecture class from config.json (merged) or the adapter's base, when known. */
  architecture: string | null;
  /** config.json (merged only). */
  config: Record<string, unknown> | null;
  /** The chat template family the tokenizer's Jinja template belongs to, when one is there. */
  family: ChatTemplateFamily | null;
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function listFiles(dir: string, names: string[], safetensors: (f: string) => boolean): FolderFile[] {
  const out: FolderFile[] = [];
  for (const entry of fs.readdirSync(dir).sort()) {
    if (!names.includes(entry) && !safetensors(entry)) continue;
    const p = path.join(dir, entry);
    const st = fs.statSync(p);
    if (st.isFile()) out.push({ name: entry, path: p, size: st.size });
  }
  return out;
}

/** The Jinja chat template: `chat_template.jinja` (transformers ≥ 4.43 writes it) or tokenizer_config.json's. */
export function readChatTemplate(dir: string): string | null {
  const jinja = path.join(dir, 'chat_template.jinja');
  if (fs.existsSync(jinja)) return fs.readFileSync(jinja, 'utf8');
  const tc = readJson(path.join(dir, 'tokenizer_config.json'));
  const t = tc?.chat_template;
  if (typeof t === 'string') return t;
  // Some tokenizers carry several named templates; "default" is the chat one.
  if (Array.isArray(t)) {
    const named = t as { name?: string; template?: string }[];
    return (named.find((x) => x.name === 'default') ?? named[0])?.template ?? null;
  }
  return null;
}

export function readMergedFolder(dir: string): ModelFolder | null {
  if (!fs.existsSync(path.join(dir, 'config.json'))) return null;
  const files = listFiles(dir, MODEL_FILES, (f) => f.endsWith('.safetensors'));
  if (!files.some((f) => f.name.endsWith('.safetensors'))) return null;
  const config = readJson(path.join(dir, 'config.json'));
  const archs = config?.architectures;
  return {
    dir,
    kind: 'merged',
    files,
    architecture: Array.isArray(archs) && typeof archs[0] === 'string' ? archs[0] : null,
    config,
    family: detectFamily(readChatTemplate(dir)),
  };
}

export function readAdapterFolder(dir: string): ModelFolder | null {
  if (!fs.existsSync(path.join(dir, 'adapter_config.json'))) return null;
  const files = listFiles(dir, ADAPTER_FILES, (f) => f.endsWith('.safetensors'));
  if (!files.some((f) => f.name.endsWith('.safetensors'))) return null;
  return { dir, kind: 'adapter', files, architecture: null, config: null, family: detectFamily(readChatTemplate(dir)) };
}

export interface RunOutputs {
  merged: ModelFolder | null;
  adapter: ModelFolder | null;
}

/** Finds what a run (or a bare model folder) offers for export. */
export function readRunOutputs(outputDir: string): RunOutputs {
  if (!isDir(outputDir)) throw new HoneError('NOT_FOUND', `The run folder ${outputDir} does not exist.`, 'Was it moved or deleted? Pick another run.');
  const merged = readMergedFolder(path.join(outputDir, 'merged')) ?? readMergedFolder(outputDir);
  const adapter = readAdapterFolder(path.join(outputDir, 'adapter')) ?? readAdapterFolder(outputDir);
  return { merged, adapter };
}
