/**
 * The adapter bundle: one zip to share a LoRA fine-tune. It holds what PeftModel.from_pretrained(base, folder)
 * and AutoTokenizer.from_pretrained(folder) read: adapter_config.json and the adapter weights, the tokenizer
 * files with the chat template training used (also as chat_template.jinja), and the model card (README.md).
 *
 * Written with yazl: it streams each file into the zip (a multi-GB adapter never sits in memory), writes
 * ZIP64 when a file or the archive passes 4 GB, and has no dependencies. The weights are stored, not
 * deflated: compressed floats shrink by a few percent at a large cost in time.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { HoneError } from '../../shared/errors';
import { readTemplateSource } from '../ollama/hf-template';
import type { RunOutputs } from '../ollama/model-folder';

/** Tokenizer files transformers reads from a folder (whichever the tokenizer saved). */
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'tokenizer.model', 'added_tokens.json', 'vocab.json', 'merges.txt'];

export interface BundleEntry {
  name: string;
  /** A file on disk, or generated content. */
  file?: string;
  content?: Buffer;
  size: number;
}

/**
 * adapter_config.json as shared: base_model_name_or_path is the Hub id when Hone knows it (the saved one is
 * the folder the base was loaded from on this computer, useless elsewhere and naming the user's home).
 */
export function sharedAdapterConfig(adapterDir: string, hubId: string | null): Buffer {
  const cfg = JSON.parse(fs.readFileSync(path.join(adapterDir, 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
  if (hubId) cfg.base_model_name_or_path = hubId;
  else if (typeof cfg.base_model_name_or_path === 'string' && path.isAbsolute(cfg.base_model_name_or_path)) cfg.base_model_name_or_path = path.basename(cfg.base_model_name_or_path);
  return Buffer.from(`${JSON.stringify(cfg, null, 2)}\n`);
}

export function bundleEntries(outputs: RunOutputs, card: string, hubId: string | null): BundleEntry[] {
  const adapter = outputs.adapter;
  if (!adapter) {
    throw new HoneError('NOT_EXPORTABLE', 'This run trained every weight (full fine-tuning), so there is no LoRA adapter to bundle.', 'Save it as a GGUF file, or share the merged folder.');
  }
  const entries: BundleEntry[] = [];
  const config = sharedAdapterConfig(adapter.dir, hubId);
  entries.push({ name: 'adapter_config.json', content: config, size: config.length });
  for (const f of adapter.files) if (f.name.endsWith('.safetensors')) entries.push({ name: f.name, file: f.path, size: f.size });
  // The tokenizer saved with the adapter (the sidecar saves it there), else the merged model's.
  const tokDir = [adapter.dir, outputs.merged?.dir].find((d): d is string => !!d && fs.existsSync(path.join(d, 'tokenizer_config.json')));
  if (tokDir) {
    for (const name of TOKENIZER_FILES) {
      const p = path.join(tokDir, name);
      if (fs.existsSync(p)) entries.push({ name, file: p, size: fs.statSync(p).size });
    }
  }
  const template = readTemplateSource(tokDir ?? adapter.dir) ?? (outputs.merged ? readTemplateSource(outputs.merged.dir) : null);
  if (template) entries.push({ name: 'chat_template.jinja', content: Buffer.from(template), size: Buffer.byteLength(template) });
  const readme = Buffer.from(card);
  entries.push({ name: 'README.md', content: readme, size: readme.length });
  return entries;
}

/** Writes the zip at `target` (via a temporary name) and returns its size. */
export async function writeBundle(entries: BundleEntry[], target: string, onBytes: (n: number) => void = () => undefined): Promise<number> {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.partial-${crypto.randomBytes(4).toString('hex')}`;
  const zip = new ZipFile();
  const mtime = new Date();
  for (const e of entries) {
    const compress = !e.name.endsWith('.safetensors');
    if (e.content) {
      zip.addBuffer(e.content, e.name, { mtime, compress });
      continue;
    }
    const file = e.file!;
    zip.addReadStreamLazy(e.name, { mtime, compress, size: e.size }, (cb) => {
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          onBytes(chunk.length);
          done(null, chunk);
        },
      });
      cb(null, fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(counter));
    });
  }
  zip.end();
  try {
    await pipeline(zip.outputStream, fs.createWriteStream(tmp, { mode: 0o644 }));
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return fs.statSync(target).size;
}
