/**
 * GGUF files: read the header, write a copy with some metadata changed, check the result.
 *
 * The header (key/values, tensor infos) is parsed and re-serialised by Hugging Face's maintained
 * @huggingface/gguf (its buildGgufHeader is what the Hub's GGUF metadata editor uses). Tensor offsets are
 * relative to the start of the data section, so a new header only moves that section: the data is copied
 * byte for byte, as a stream, after the new header and its alignment padding. The source is hashed on the
 * way through, so a copy of an Ollama blob is known to be exactly the blob Ollama stored under its digest.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { buildGgufHeader, gguf, GGUFValueType, type GGUFTensorInfo, type GGUFTypedMetadata, type MetadataValue } from '@huggingface/gguf';
import { HoneError } from '../../shared/errors';

export { GGUFValueType };

const DEFAULT_ALIGNMENT = 32;
const CHUNK = 1 << 20;

export interface GgufHeader {
  file: string;
  size: number;
  version: number;
  littleEndian: boolean;
  tensorCount: number;
  tensors: GGUFTensorInfo[];
  /** Every key/value with its GGUF type, in file order (plus the library's version/tensor_count/kv_count). */
  typed: GGUFTypedMetadata;
  alignment: number;
  /** Where the tensor data starts (a multiple of the alignment). */
  dataOffset: number;
  tensorInfoByteRange: [number, number];
}

/** The facts a user (and the export's check) cares about. */
export interface GgufSummary {
  version: number;
  tensorCount: number;
  architecture: string | null;
  contextLength: number | null;
  chatTemplate: string | null;
  addBos: boolean | null;
  name: string | null;
  fileType: number | null;
}

function value(h: GgufHeader, key: string): MetadataValue | undefined {
  return (h.typed as Record<string, { value: MetadataValue } | undefined>)[key]?.value;
}

export function summarise(h: GgufHeader): GgufSummary {
  const arch = value(h, 'general.architecture');
  const architecture = typeof arch === 'string' ? arch : null;
  const ctx = architecture ? value(h, `${architecture}.context_length`) : undefined;
  const tpl = value(h, 'tokenizer.chat_template');
  const bos = value(h, 'tokenizer.ggml.add_bos_token');
  const name = value(h, 'general.name');
  const ft = value(h, 'general.file_type');
  return {
    version: h.version,
    tensorCount: h.tensorCount,
    architecture,
    contextLength: typeof ctx === 'number' || typeof ctx === 'bigint' ? Number(ctx) : null,
    chatTemplate: typeof tpl === 'string' ? tpl : null,
    addBos: typeof bos === 'boolean' ? bos : null,
    name: typeof name === 'string' ? name : null,
    fileType: typeof ft === 'number' ? ft : null,
  };
}

function notGguf(file: string, why: string): HoneError {
  return new HoneError('NOT_EXPORTABLE', `${file} is not a usable GGUF file: ${why}.`, 'If Ollama made it, remove that model from Ollama and export again.');
}

export async function readGgufHeader(file: string): Promise<GgufHeader> {
  const size = fs.statSync(file).size;
  const magic = Buffer.alloc(8);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, magic, 0, 8, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (magic.toString('latin1', 0, 4) !== 'GGUF') throw notGguf(file, 'it does not start with the GGUF magic');
  let parsed: Awaited<ReturnType<typeof gguf>> & { typedMetadata: GGUFTypedMetadata };
  try {
    parsed = await gguf(file, { allowLocalFile: true, typedMetadata: true });
  } catch (err) {
    throw notGguf(file, (err as Error).message);
  }
  if (!parsed.littleEndian) throw notGguf(file, 'it is big-endian, which llama.cpp, LM Studio and Ollama do not load on this computer');
  const rawAlign = parsed.typedMetadata['general.alignment']?.value;
  const alignment = rawAlign === undefined ? DEFAULT_ALIGNMENT : Number(rawAlign);
  const dataOffset = Number(parsed.tensorDataOffset);
  if (dataOffset > size) throw notGguf(file, `it is cut short (${size} bytes, the header alone needs ${dataOffset})`);
  return {
    file,
    size,
    version: parsed.typedMetadata.version.value,
    littleEndian: parsed.littleEndian,
    tensorCount: parsed.tensorInfos.length,
    tensors: parsed.tensorInfos,
    typed: parsed.typedMetadata,
    alignment,
    dataOffset,
    tensorInfoByteRange: parsed.tensorInfoByteRange,
  };
}

/** A key set to a typed value, or null to remove it. */
export type MetadataPatch = Record<string, { type: GGUFValueType; value: MetadataValue; subType?: GGUFValueType } | null>;

export function patchMetadata(typed: GGUFTypedMetadata, patch: MetadataPatch): GGUFTypedMetadata {
  // Keys keep their place in the file; new ones go last, as llama.cpp's gguf_set_* does.
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(typed)) {
    if (!(k in patch)) out[k] = v;
    else if (patch[k] !== null) out[k] = patch[k];
  }
  for (const [k, v] of Object.entries(patch)) if (v !== null && !(k in typed)) out[k] = v;
  return out as GGUFTypedMetadata;
}

export interface RewriteResult {
  /** sha256:<hex> of the whole source file. */
  sourceDigest: string;
  header: GgufHeader;
  bytes: number;
}

/** Skips the source's header, passes the data section on, and hashes everything it sees. */
class DataSection extends Transform {
  private seen = 0;
  readonly hash = crypto.createHash('sha256');
  constructor(
    private readonly skip: number,
    private readonly onBytes: (n: number) => void,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    const start = Math.max(0, this.skip - this.seen);
    this.seen += chunk.length;
    this.onBytes(chunk.length);
    done(null, start >= chunk.length ? undefined : start > 0 ? chunk.subarray(start) : chunk);
  }
}

export interface RewriteOptions {
  source: string;
  target: string;
  patch: MetadataPatch;
  /** The digest the source must have (an Ollama blob's); checked before the target appears. */
  expectedDigest?: string;
  onBytes?: (n: number) => void;
  signal?: AbortSignal;
}

/**
 * Writes `target` as `source` with the patched metadata. Written beside the target under a temporary name and
 * renamed at the end, so a failed or cancelled export never leaves a half file under the real name.
 */
export async function rewriteGguf(opts: RewriteOptions): Promise<RewriteResult> {
  const header = await readGgufHeader(opts.source);
  const typed = patchMetadata(header.typed, opts.patch);
  const blob = await fs.openAsBlob(opts.source);
  const newHeader = Buffer.from(await (await buildGgufHeader(blob, typed, { littleEndian: true, tensorInfoByteRange: header.tensorInfoByteRange, alignment: header.alignment })).arrayBuffer());
  const dataBytes = header.size - header.dataOffset;
  ensureRoom(path.dirname(opts.target), newHeader.length + dataBytes);

  const tmp = `${opts.target}.partial-${crypto.randomBytes(4).toString('hex')}`;
  const section = new DataSection(header.dataOffset, opts.onBytes ?? (() => undefined));
  try {
    const out = fs.createWriteStream(tmp, { mode: 0o644 });
    out.write(newHeader);
    await pipeline(fs.createReadStream(opts.source, { highWaterMark: CHUNK, signal: opts.signal }), section, out);
    const digest = `sha256:${section.hash.digest('hex')}`;
    if (opts.expectedDigest && digest !== opts.expectedDigest) {
      throw new HoneError('OLLAMA_ERROR', `${opts.source} does not hold what Ollama stored under ${opts.expectedDigest.slice(0, 19)}… (it hashes to ${digest.slice(0, 19)}…).`, 'The file changed or is damaged: remove the model from Ollama, send the run again, then export.');
    }
    fs.renameSync(tmp, opts.target);
    return { sourceDigest: digest, header, bytes: newHeader.length + dataBytes };
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

function ensureRoom(dir: string, bytes: number): void {
  let free: number;
  try {
    const s = fs.statfsSync(dir);
    free = s.bavail * s.bsize;
  } catch {
    return; // a file system that cannot say: let the write itself fail if it must
  }
  if (free < bytes) {
    const gb = (n: number) => `${(n / 1e9).toFixed(2)} GB`;
    throw new HoneError('DISK_FULL', `The GGUF file needs ${gb(bytes)} but ${dir} has ${gb(free)} free.`, 'Free some disk space, or choose another folder for the file.');
  }
}

export interface GgufCheck {
  ok: true;
  summary: GgufSummary;
  /** One line for the UI and the CLI. */
  text: string;
}

/**
 * Reads the written file back and compares it with what it must be: the GGUF magic (readGgufHeader), the
 * source's tensors unchanged (count, names, shapes, types, offsets), its data section's full length, an
 * architecture with a context length, and the metadata the export set.
 */
export async function checkGguf(file: string, source: GgufHeader, expect: { chatTemplate: string | null; addBos: boolean | null }): Promise<GgufCheck> {
  const h = await readGgufHeader(file);
  const fail = (why: string) => {
    throw new HoneError('INTERNAL', `The GGUF file Hone wrote is wrong: ${why}.`, 'Export again; if it happens again, report it with the Ollama version.');
  };
  if (h.tensorCount !== source.tensorCount) fail(`it has ${h.tensorCount} tensors, the model has ${source.tensorCount}`);
  for (let i = 0; i < h.tensors.length; i++) {
    const [a, b] = [h.tensors[i], source.tensors[i]];
    if (a.name !== b.name || a.dtype !== b.dtype || a.offset !== b.offset || a.shape.join('x') !== b.shape.join('x')) fail(`tensor ${i} (${b.name}) changed`);
  }
  if (h.dataOffset % h.alignment !== 0) fail(`its tensor data starts at ${h.dataOffset}, not a multiple of ${h.alignment}`);
  if (h.size - h.dataOffset !== source.size - source.dataOffset) fail(`its tensor data is ${h.size - h.dataOffset} bytes, the model's is ${source.size - source.dataOffset}`);
  const s = summarise(h);
  if (!s.architecture) fail('it names no architecture');
  if (!s.contextLength) fail(`it has no ${s.architecture}.context_length`);
  if (s.chatTemplate !== expect.chatTemplate) fail('its chat template is not the model’s');
  if (expect.addBos !== null && s.addBos !== expect.addBos) fail(`tokenizer.ggml.add_bos_token is ${s.addBos}, not ${expect.addBos}`);
  const text = `GGUF v${s.version}, ${s.architecture}, ${s.tensorCount} tensors, context ${s.contextLength}, ${s.chatTemplate ? 'chat template included' : 'no chat template'}, BOS ${s.addBos ? 'added by the tokenizer' : 'from the template only'}.`;
  return { ok: true, summary: s, text };
}
