/**
 * Test helper: a small GGUF v3 file written byte by byte from the spec (ggml/docs/gguf.md), independently of
 * @huggingface/gguf, so the tests compare the library's output with a second implementation.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';

export type FixtureValue = { t: 'str'; v: string } | { t: 'u32'; v: number } | { t: 'bool'; v: boolean } | { t: 'f32'; v: number } | { t: 'strs'; v: string[] } | { t: 'i32s'; v: number[] };

export interface FixtureTensor {
  name: string;
  shape: number[];
  /** GGML type: 0 = F32. */
  type: number;
  bytes: number;
}

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(b.length));
  return Buffer.concat([len, b]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

function u64(n: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

function encode(v: FixtureValue): Buffer {
  switch (v.t) {
    case 'str':
      return Buffer.concat([u32(8), str(v.v)]);
    case 'u32':
      return Buffer.concat([u32(4), u32(v.v)]);
    case 'bool':
      return Buffer.concat([u32(7), Buffer.from([v.v ? 1 : 0])]);
    case 'f32': {
      const b = Buffer.alloc(4);
      b.writeFloatLE(v.v);
      return Buffer.concat([u32(6), b]);
    }
    case 'strs':
      return Buffer.concat([u32(9), u32(8), u64(v.v.length), ...v.v.map(str)]);
    case 'i32s':
      return Buffer.concat([u32(9), u32(5), u64(v.v.length), ...v.v.map((n) => {
        const b = Buffer.alloc(4);
        b.writeInt32LE(n);
        return b;
      })]);
  }
}

/** Writes the file; tensor data is random bytes (what it holds does not matter, that it survives does). */
export function writeGgufFixture(file: string, kvs: [string, FixtureValue][], tensors: FixtureTensor[], alignment = 32): { dataOffset: number; data: Buffer } {
  const parts: Buffer[] = [Buffer.from('GGUF', 'latin1'), u32(3), u64(tensors.length), u64(kvs.length)];
  for (const [k, v] of kvs) parts.push(str(k), encode(v));
  let offset = 0;
  const datas: Buffer[] = [];
  for (const t of tensors) {
    parts.push(str(t.name), u32(t.shape.length), ...t.shape.map(u64), u32(t.type), u64(offset));
    const d = crypto.randomBytes(t.bytes);
    const pad = (alignment - (t.bytes % alignment)) % alignment;
    datas.push(d, Buffer.alloc(pad));
    offset += t.bytes + pad;
  }
  const head = Buffer.concat(parts);
  const headPad = (alignment - (head.length % alignment)) % alignment;
  const data = Buffer.concat(datas);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.alloc(headPad), data]));
  return { dataOffset: head.length + headPad, data };
}
