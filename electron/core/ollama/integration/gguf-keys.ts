/**
 * Test helper: the metadata keys of a model Ollama created, read from its GGUF blob in the test server's own
 * model store (manifest → model layer → blob). Scalars and strings are returned; arrays only by name.
 */
import fs from 'node:fs';
import path from 'node:path';

export function modelBlob(modelsDir: string, name: string): string {
  const [repo, tag = 'latest'] = name.split(':');
  const parts = repo.includes('/') ? repo.split('/') : ['library', repo];
  const manifest = JSON.parse(fs.readFileSync(path.join(modelsDir, 'manifests', 'registry.ollama.ai', ...parts, tag), 'utf8')) as { layers: { mediaType: string; digest: string }[] };
  const layer = manifest.layers.find((l) => l.mediaType === 'application/vnd.ollama.image.model');
  if (!layer) throw new Error(`${name} has no model layer`);
  return path.join(modelsDir, 'blobs', layer.digest.replace(':', '-'));
}

const SIZES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

export function ggufKeys(file: string): Map<string, unknown> {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(32 * 1024 * 1024);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  if (buf.toString('ascii', 0, 4) !== 'GGUF') throw new Error(`${file} is not a GGUF file`);
  let o = 4 + 4 + 8; // magic, version, tensor count
  const count = Number(buf.readBigUInt64LE(o));
  o += 8;
  const str = () => {
    const len = Number(buf.readBigUInt64LE(o));
    const s = buf.toString('utf8', o + 8, o + 8 + len);
    o += 8 + len;
    return s;
  };
  const value = (type: number): unknown => {
    if (type === 8) return str();
    if (type === 9) {
      const inner = buf.readUInt32LE(o);
      const len = Number(buf.readBigUInt64LE(o + 4));
      o += 12;
      for (let i = 0; i < len; i++) value(inner);
      return `[array of ${len}]`;
    }
    const size = SIZES[type];
    if (size === undefined) throw new Error(`unknown GGUF type ${type}`);
    const v = type === 7 ? buf[o] !== 0 : type === 4 ? buf.readUInt32LE(o) : type === 5 ? buf.readInt32LE(o) : type === 6 ? buf.readFloatLE(o) : undefined;
    o += size;
    return v;
  };
  const keys = new Map<string, unknown>();
  for (let i = 0; i < count && o < n; i++) {
    const key = str();
    const type = buf.readUInt32LE(o);
    o += 4;
    keys.set(key, value(type));
  }
  return keys;
}
