/**
 * Parameter counts straight from safetensors headers: 8 bytes of little-endian header length, then a JSON
 * map of tensor name -> {dtype, shape, data_offsets}. Reading the headers is cheap and exact, where config
 * numbers miss biases, vision towers and odd layers.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Headers are a few hundred KB at most; anything past this is not a safetensors file. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export function readSafetensorsHeader(file: string): Record<string, { dtype: string; shape: number[] }> {
  const fd = fs.openSync(file, 'r');
  try {
    const lenBuf = Buffer.alloc(8);
    if (fs.readSync(fd, lenBuf, 0, 8, 0) !== 8) throw new Error(`${path.basename(file)} is too short to be a safetensors file`);
    const len = Number(lenBuf.readBigUInt64LE(0));
    if (len <= 0 || len > MAX_HEADER_BYTES) throw new Error(`${path.basename(file)} has no valid safetensors header`);
    const header = Buffer.alloc(len);
    fs.readSync(fd, header, 0, len, 8);
    const parsed = JSON.parse(header.toString('utf8')) as Record<string, { dtype: string; shape: number[] }>;
    delete parsed.__metadata__;
    return parsed;
  } finally {
    fs.closeSync(fd);
  }
}

/** Total parameters over every *.safetensors file in the folder; null when there are none. */
export function countSafetensorsParams(dir: string): number | null {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.safetensors'));
  if (!files.length) return null;
  let total = 0;
  for (const f of files) {
    for (const t of Object.values(readSafetensorsHeader(path.join(dir, f)))) {
      total += t.shape.reduce((a, b) => a * b, 1);
    }
  }
  return total;
}
