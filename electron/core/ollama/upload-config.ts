/**
 * The tokenizer_config.json Ollama gets is a copy with the chat template removed and automatic BOS/EOS off.
 *
 * Why: Ollama's importer copies `chat_template` into the GGUF (tokenizer.chat_template), and from 0.30 a GGUF
 * template that "shows more capabilities" (mentions tools or <think>) can replace the TEMPLATE we send
 * (server/images.go shouldPreferChatTemplate). Without it, our TEMPLATE is the only one on every version.
 * And training tokenised the rendered text with no added special tokens (apply_chat_template), so BOS is in
 * the template's text where the model's template prints it, never added by the tokenizer: the converter writes
 * add_bos_token/add_eos_token into the GGUF only for special tokens it finds, so a tokenizer whose bos_token is
 * unset (Qwen2.5) gets the BOS of config.json named, to carry the explicit `false`.
 * chat_template.jinja is never uploaded (model-folder.ts lists the files Ollama gets).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FolderFile } from './model-folder';

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export function sanitisedTokenizerConfig(dir: string): Record<string, unknown> | null {
  const cfg = readJson(path.join(dir, 'tokenizer_config.json'));
  if (!cfg) return null;
  const copy: Record<string, unknown> = { ...cfg, add_bos_token: false, add_eos_token: false };
  delete copy.chat_template;
  if (copy.bos_token === undefined || copy.bos_token === null) {
    const bosId = readJson(path.join(dir, 'config.json'))?.bos_token_id;
    const decoder = (cfg.added_tokens_decoder ?? {}) as Record<string, { content?: string }>;
    const content = typeof bosId === 'number' ? decoder[String(bosId)]?.content : undefined;
    if (content) copy.bos_token = content;
  }
  return copy;
}

export interface UploadCopy {
  files: FolderFile[];
  cleanup(): void;
}

/** The folder's files with tokenizer_config.json replaced by the sanitised copy (in a private temp folder). */
export function withSanitisedConfig(files: FolderFile[], dir: string): UploadCopy {
  const cfg = sanitisedTokenizerConfig(dir);
  if (!cfg) return { files, cleanup: () => undefined };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-ollama-upload-'));
  const file = path.join(tmp, `tokenizer_config-${crypto.randomBytes(4).toString('hex')}.json`);
  fs.writeFileSync(file, JSON.stringify(cfg, null, 2), { mode: 0o600 });
  const replaced = files.map((f) => (f.name === 'tokenizer_config.json' ? { ...f, path: file, size: fs.statSync(file).size, ephemeral: true } : f));
  return { files: replaced, cleanup: () => fs.rmSync(tmp, { recursive: true, force: true }) };
}
