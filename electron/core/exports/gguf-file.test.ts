/**
 * The GGUF rewrite against files written from the spec by a second implementation (testdata/gguf-fixture.ts):
 * patched keys read back, every other key and tensor unchanged, the data section byte-identical and aligned
 * (also with a custom general.alignment), the source digest checked, broken files refused with a message.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { HoneError } from '../../shared/errors';
import { checkGguf, GGUFValueType, readGgufHeader, rewriteGguf, summarise } from './gguf-file';
import { writeGgufFixture, type FixtureValue } from './testdata/gguf-fixture';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-gguf-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const KVS: [string, FixtureValue][] = [
  ['general.architecture', { t: 'str', v: 'llama' }],
  ['general.name', { t: 'str', v: 'Ollama import' }],
  ['llama.context_length', { t: 'u32', v: 8192 }],
  ['llama.rope.freq_base', { t: 'f32', v: 10000.5 }],
  ['tokenizer.ggml.model', { t: 'str', v: 'gpt2' }],
  ['tokenizer.ggml.tokens', { t: 'strs', v: ['<|endoftext|>', '<|im_start|>', '<|im_end|>', 'hé', '🙂'] }],
  ['tokenizer.ggml.token_type', { t: 'i32s', v: [3, 3, 3, 1, 1] }],
  ['tokenizer.ggml.add_bos_token', { t: 'bool', v: false }],
];
const TENSORS = [
  { name: 'token_embd.weight', shape: [8, 5], type: 0, bytes: 160 },
  { name: 'blk.0.attn_q.weight', shape: [8, 8], type: 0, bytes: 256 },
  { name: 'output_norm.weight', shape: [7], type: 0, bytes: 28 },
];

const sha = (b: Buffer) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

describe('GGUF rewrite', () => {
  it('sets the chat template and BOS flag, keeps every other key and tensor, and copies the data byte for byte', async () => {
    const src = path.join(tmp, 'src.gguf');
    const { data } = writeGgufFixture(src, KVS, TENSORS);
    const template = "{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}";
    const out = path.join(tmp, 'out.gguf');
    let progressed = 0;
    const res = await rewriteGguf({
      source: src,
      target: out,
      expectedDigest: sha(fs.readFileSync(src)),
      onBytes: (n) => (progressed += n),
      patch: {
        'tokenizer.chat_template': { type: GGUFValueType.STRING, value: template },
        'tokenizer.ggml.add_bos_token': { type: GGUFValueType.BOOL, value: true },
        'general.name': { type: GGUFValueType.STRING, value: 'my-assistant' },
      },
    });
    assert.equal(progressed, fs.statSync(src).size, 'progress counts the whole source');
    assert.equal(res.bytes, fs.statSync(out).size);

    const h = await readGgufHeader(out);
    const s = summarise(h);
    assert.deepEqual(
      { arch: s.architecture, ctx: s.contextLength, tpl: s.chatTemplate, bos: s.addBos, name: s.name, tensors: s.tensorCount, version: s.version },
      { arch: 'llama', ctx: 8192, tpl: template, bos: true, name: 'my-assistant', tensors: 3, version: 3 },
    );
    const t = h.typed as Record<string, { value: unknown; type: number }>;
    assert.deepEqual(t['tokenizer.ggml.tokens'].value, ['<|endoftext|>', '<|im_start|>', '<|im_end|>', 'hé', '🙂']);
    assert.deepEqual(t['tokenizer.ggml.token_type'].value, [3, 3, 3, 1, 1]);
    assert.equal(t['llama.rope.freq_base'].type, GGUFValueType.FLOAT32);
    assert.equal(t['llama.rope.freq_base'].value, Math.fround(10000.5));
    // Replaced keys stay where they were; the new one comes last.
    const keys = Object.keys(h.typed).filter((k) => !['version', 'tensor_count', 'kv_count'].includes(k));
    assert.deepEqual(keys, [...KVS.map(([k]) => k), 'tokenizer.chat_template']);
    assert.deepEqual(h.tensors.map((x) => [x.name, x.shape.map(Number), x.offset]), [['token_embd.weight', [8, 5], 0n], ['blk.0.attn_q.weight', [8, 8], 160n], ['output_norm.weight', [7], 416n]]);
    assert.equal(h.dataOffset % 32, 0);
    assert.ok(fs.readFileSync(out).subarray(h.dataOffset).equals(data), 'the data section is the same bytes');

    const check = await checkGguf(out, await readGgufHeader(src), { chatTemplate: template, addBos: true });
    assert.match(check.text, /GGUF v3, llama, 3 tensors, context 8192, chat template included/);
    assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.includes('.partial-')), [], 'no temporary file left');
  });

  it('keeps a custom alignment: the new data section starts on a multiple of general.alignment', async () => {
    const src = path.join(tmp, 'aligned.gguf');
    const { data } = writeGgufFixture(src, [...KVS, ['general.alignment', { t: 'u32', v: 64 }]], TENSORS, 64);
    const out = path.join(tmp, 'aligned-out.gguf');
    // A long template moves the data section by an amount that is not a multiple of 64.
    await rewriteGguf({ source: src, target: out, patch: { 'tokenizer.chat_template': { type: GGUFValueType.STRING, value: 'x'.repeat(1001) } } });
    const h = await readGgufHeader(out);
    assert.equal(h.alignment, 64);
    assert.equal(h.dataOffset % 64, 0);
    assert.ok(fs.readFileSync(out).subarray(h.dataOffset).equals(data));
  });

  it('removes a key when the patch says null', async () => {
    const src = path.join(tmp, 'rm.gguf');
    writeGgufFixture(src, KVS, TENSORS);
    const out = path.join(tmp, 'rm-out.gguf');
    await rewriteGguf({ source: src, target: out, patch: { 'general.name': null } });
    assert.equal(summarise(await readGgufHeader(out)).name, null);
  });

  it('refuses a source whose digest is not the expected one, leaving no file behind', async () => {
    const src = path.join(tmp, 'digest.gguf');
    writeGgufFixture(src, KVS, TENSORS);
    const out = path.join(tmp, 'digest-out.gguf');
    await assert.rejects(
      rewriteGguf({ source: src, target: out, patch: {}, expectedDigest: `sha256:${'0'.repeat(64)}` }),
      (err: HoneError) => err.code === 'OLLAMA_ERROR' && /does not hold what Ollama stored/.test(err.message),
    );
    assert.equal(fs.existsSync(out), false);
    assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.startsWith('digest-out')), []);
  });

  it('says what is wrong with a file that is not GGUF, or is cut short', async () => {
    const bad = path.join(tmp, 'bad.gguf');
    fs.writeFileSync(bad, 'PK\u0003\u0004 not a model');
    await assert.rejects(readGgufHeader(bad), (err: HoneError) => err.code === 'NOT_EXPORTABLE' && /does not start with the GGUF magic/.test(err.message));
    const src = path.join(tmp, 'whole.gguf');
    writeGgufFixture(src, KVS, TENSORS);
    const cut = path.join(tmp, 'cut.gguf');
    fs.writeFileSync(cut, fs.readFileSync(src).subarray(0, 100));
    await assert.rejects(readGgufHeader(cut), (err: HoneError) => err.code === 'NOT_EXPORTABLE');
  });

  it('the check catches a file whose tensors or template differ from what was asked', async () => {
    const src = path.join(tmp, 'chk.gguf');
    writeGgufFixture(src, KVS, TENSORS);
    const other = path.join(tmp, 'chk-other.gguf');
    writeGgufFixture(other, KVS, TENSORS.slice(0, 2));
    const srcHeader = await readGgufHeader(src);
    await assert.rejects(checkGguf(other, srcHeader, { chatTemplate: null, addBos: false }), /2 tensors, the model has 3/);
    await assert.rejects(checkGguf(src, srcHeader, { chatTemplate: 'x', addBos: false }), /chat template is not the model/);
  });
});
