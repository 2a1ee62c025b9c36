/**
 * Save as GGUF against a REAL Ollama (the CI-built v0.11.4; also run on 0.12.6) with the tiny Llama laid out as a finished run:
 * the file's magic, metadata and tensors; it loads back into Ollama from the file alone (blob + files) with
 * the chat template it carries, and chats; a model the user already sent is reused; what this Ollama cannot
 * produce, an absent Ollama, an adapter-only run and a blob that is not on this disk are refused with what to
 * do; a blob found through OLLAMA_MODELS when the server reports a path from another file system.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HoneError } from '../../../shared/errors';
import type { FileExportProgress } from '../../../shared/types/exports';
import { createContext } from '../../app';
import { hashFile, uploadBlob } from '../../ollama/blobs';
import { createModel } from '../../ollama/create';
import { createOllamaHandlers } from '../../ollama/handlers';
import { loadHfTemplate, readTemplateSource } from '../../ollama/hf-template';
import { makeRunFolder, registerRun, sharedTinyAdapter, sharedTinyModel, testPython } from '../../ollama/integration/fixtures';
import { modelBlob } from '../../ollama/integration/gguf-keys';
import { startOllamaForTests, type TestOllama } from '../../ollama/integration/test-server';
import { checkTemplate, folderTokenCounter } from '../../ollama/template-check';
import { deriveTemplate } from '../../ollama/template-derive';
import { exportDeps } from '../deps';
import { exportGguf } from '../gguf-export';
import { readGgufHeader, summarise } from '../gguf-file';
import { ggufChatTemplate } from '../gguf-template';

const python = testPython();
const skip = python ? false : 'no Python for the tiny model (set HONE_PYTHON)';

async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<HoneError> {
  try {
    await p;
  } catch (err) {
    const e = err as HoneError;
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

/** Forwards to Ollama, rewriting the FROM line /api/show reports, as a server in a container would report it. */
async function rewritingProxy(target: string, rewrite: (from: string) => string): Promise<{ host: string; close(): Promise<void> }> {
  const [h, p] = target.split(':');
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const up = http.request({ host: h, port: Number(p), method: req.method, path: req.url, headers: req.headers }, (r) => {
        const body: Buffer[] = [];
        r.on('data', (c: Buffer) => body.push(c));
        r.on('end', () => {
          let out = Buffer.concat(body);
          if (req.url === '/api/show' && r.statusCode === 200) {
            const json = JSON.parse(out.toString('utf8')) as { modelfile?: string };
            if (json.modelfile) json.modelfile = json.modelfile.replace(/^FROM (.+)$/m, (_m, from: string) => `FROM ${rewrite(from)}`);
            out = Buffer.from(JSON.stringify(json));
          }
          const headers = { ...r.headers, 'content-length': String(out.length) };
          delete headers['transfer-encoding'];
          res.writeHead(r.statusCode ?? 502, headers);
          res.end(out);
        });
      });
      up.on('error', () => res.destroy());
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('Save as GGUF (real Ollama)', { skip }, () => {
  let tmp: string;
  let tiny: string;
  let server: TestOllama;
  let url: string;
  const cleanups: (() => Promise<void> | void)[] = [];

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-gguf-it-'));
    tiny = sharedTinyModel();
    // Its own server: the blob-location tests need to know where its models folder is.
    server = await startOllamaForTests();
    url = `http://${server.host}`;
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c();
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function core(host: string, env: NodeJS.ProcessEnv = {}) {
    const { ctx, close } = createContext({ mode: 'cli', paths: { dataDir: fs.mkdtempSync(path.join(tmp, 'data-')) }, env: { OLLAMA_HOST: host, HOME: tmp, ...env } });
    cleanups.push(close);
    const events: FileExportProgress[] = [];
    return { ctx, events, deps: exportDeps(ctx, (e) => events.push(e)) };
  }

  const tags = async () => ((await (await fetch(`${url}/api/tags`)).json()) as { models: { name: string; digest: string }[] }).models;

  let exported: string;

  it('writes <name>-q8_0.gguf from a run Ollama converts for the export, with the chat template and checked metadata', async () => {
    const { deps, events } = core(server.host);
    const run = makeRunFolder(tmp, tiny, { id: 'run-gguf' });
    const before = (await tags()).length;
    const res = await exportGguf({ run, quantize: 'q8_0' }, deps);
    exported = res.path;
    assert.equal(res.path, path.join(run, 'exports', 'tiny-test-run-q8_0.gguf'));
    assert.equal(res.source.created, true);
    assert.equal((await tags()).length, before, 'the model made for the export is gone from Ollama');

    const h = await readGgufHeader(res.path);
    const s = summarise(h);
    assert.equal(fs.readFileSync(res.path).toString('latin1', 0, 4), 'GGUF');
    assert.equal(s.architecture, 'llama');
    assert.equal(s.contextLength, 1024, "the tiny model's max_position_embeddings");
    assert.equal(s.fileType, 7, 'Q8_0');
    assert.equal(s.name, 'tiny test run');
    assert.equal(s.addBos, false);
    assert.equal(s.chatTemplate, ggufChatTemplate(readTemplateSource(tiny)!, '2000-01-01').template);
    assert.doesNotMatch(s.chatTemplate!, /\{%-?\s*(end)?generation/, 'the {% generation %} markers are no-ops');
    // 4 layers x 9 tensors + embedding, output norm, output head: every tensor of the model.
    assert.equal(s.tensorCount, 4 * 9 + 3);
    assert.match(res.detail ?? '', /GGUF v3, llama, 39 tensors, context 1024, chat template included/);

    const stages = events.map((e) => e.stage);
    for (const st of ['converting', 'writing', 'checking', 'done']) assert.ok(stages.includes(st), `progress reached ${st}: ${[...new Set(stages)]}`);
    const writing = events.filter((e) => e.stage === 'writing');
    assert.equal(writing.at(-1)!.done, writing.at(-1)!.total, 'writing ends at 100%');
    assert.ok(events.some((e) => e.stage === 'converting' && /quantises/.test(e.detail ?? '')), 'the Ollama steps show as converting');
  });

  it('loads back into Ollama from the file alone (blob + files) and chats, feeding the prompt training saw', async () => {
    const digest = await hashFile(exported);
    await uploadBlob(url, digest, exported, () => undefined);
    // As Hone sends it: the TEMPLATE derived from the model's own, which renders what training saw.
    const derived = deriveTemplate(loadHfTemplate(tiny, '2000-01-01')!);
    const templated = `hone-test/from-gguf-tpl-${process.pid}:latest`;
    await createModel(url, { model: templated, files: { 'tiny-test-run-q8_0.gguf': digest }, template: derived.template, parameters: { stop: derived.stop } }, () => undefined);
    const show = (await (await fetch(`${url}/api/show`, { method: 'POST', body: JSON.stringify({ model: templated }) })).json()) as { details: { quantization_level: string; family: string }; model_info: Record<string, unknown> };
    assert.equal(show.details.quantization_level, 'Q8_0');
    assert.equal(show.details.family, 'llama');
    assert.equal(show.model_info['tokenizer.ggml.add_bos_token'], false);
    const check = await checkTemplate({ baseUrl: url, model: templated, hf: loadHfTemplate(tiny, '2000-01-01')!, count: folderTokenCounter(tiny) });
    assert.ok(check.ok, check.summary);

    // Random weights: a few seeds tell "it talks" apart from a first sampled token that happens to be a stop.
    let reply = '';
    for (let seed = 1; seed <= 5 && !reply; seed++) {
      const r = (await (await fetch(`${url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: templated, messages: [{ role: 'user', content: 'Hello there!' }], stream: false, options: { num_predict: 12, seed } }) })).json()) as { message: { content: string } };
      reply = r.message.content;
    }
    assert.ok(reply.length > 0, 'a non-empty reply');
  });

  it('reuses the model the user sent at that quantisation: nothing is converted again', async () => {
    const { ctx, deps } = core(server.host);
    const run = makeRunFolder(tmp, tiny, { id: 'run-reuse' });
    registerRun(ctx, run, { id: 'run-reuse-1', model: 'tiny-test-model' });
    const name = `hone-test/reuse-${process.pid}`;
    const sent = await createOllamaHandlers(ctx)['ollama.send']({ runId: 'run-reuse-1', name, quantize: 'q4_K_M' });
    const res = await exportGguf({ run: 'run-reuse-1', quantize: 'q4_K_M' }, deps);
    assert.deepEqual(res.source, { model: sent.name, created: false });
    assert.equal(summarise(await readGgufHeader(res.path)).fileType, 15, 'Q4_K_M');
    assert.ok((await tags()).some((m) => m.name === sent.name), "the user's model stays in Ollama");
    // Recorded on the run: the store's artifacts and the folder's exports.json.
    const files = (JSON.parse(fs.readFileSync(path.join(run, 'exports.json'), 'utf8')) as { files: { path: string; target: string }[]; exports: unknown[] });
    assert.deepEqual(files.files.map((f) => [f.target, f.path]), [['gguf', res.path]]);
    assert.equal(files.exports.length, 1, 'the Ollama export is still there');

    // llama.cpp's own reader (gguf-py), against the blob Ollama stores: the same tensors byte for byte, the
    // template and BOS flag added; Ollama's blob has no template (Hone's upload strips it).
    const script = [
      'import sys, json, gguf',
      'a, b = gguf.GGUFReader(sys.argv[1]), gguf.GGUFReader(sys.argv[2])',
      'def s(r, k):',
      '    f = r.fields.get(k)',
      '    return None if f is None else (bytes(f.parts[-1]).decode() if f.types[0] == gguf.GGUFValueType.STRING else f.parts[-1].tolist()[0])',
      'same = len(a.tensors) == len(b.tensors) and all(x.name == y.name and x.tensor_type == y.tensor_type and list(x.shape) == list(y.shape) and x.data.tobytes() == y.data.tobytes() for x, y in zip(a.tensors, b.tensors))',
      'print(json.dumps({"same": same, "tensors": len(a.tensors), "tpl": s(a, "tokenizer.chat_template"), "bos": s(a, "tokenizer.ggml.add_bos_token"), "ollama_tpl": s(b, "tokenizer.chat_template"), "ctx": s(a, "llama.context_length")}))',
    ].join('\n');
    const r = spawnSync(python!, ['-c', script, res.path, modelBlob(server.modelsDir, sent.name)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const read = JSON.parse(r.stdout) as { same: boolean; tensors: number; tpl: string; bos: boolean; ollama_tpl: string | null; ctx: number };
    assert.deepEqual(read, { same: true, tensors: 39, tpl: ggufChatTemplate(readTemplateSource(tiny)!, '2000-01-01').template, bos: false, ollama_tpl: null, ctx: 1024 });
  });

  it('q5_K_M on this Ollama (0.7+ quantises only to q4_K_S, q4_K_M, q8_0): refused before anything is sent', async () => {
    const { deps } = core(server.host);
    const run = makeRunFolder(tmp, tiny, { id: 'run-q5' });
    const before = (await tags()).length;
    await rejectsWith(exportGguf({ run, quantize: 'q5_K_M' }, deps), 'UNSUPPORTED_QUANT', new RegExp(`Ollama ${server.version.replace(/\./g, '\\.')} cannot quantise to q5_K_M`));
    assert.equal((await tags()).length, before);
    assert.equal(fs.existsSync(path.join(run, 'exports')), false);
  });

  it('no Ollama: says a GGUF file needs it, how to start it, and that the adapter bundle does not', async () => {
    const { deps } = core('127.0.0.1:9');
    const run = makeRunFolder(tmp, tiny, { id: 'run-no-ollama' });
    const err = await rejectsWith(exportGguf({ run }, deps), 'OLLAMA_UNAVAILABLE', /Saving a GGUF file needs Ollama, which is not running/);
    assert.match(err.hint ?? '', /ollama serve.*ollama\.com\/download.*adapter bundle/);
  });

  it('a run without a merged model is refused with the way out', async () => {
    const { deps } = core(server.host);
    const run = makeRunFolder(tmp, null, { id: 'run-adapter-only', adapterDir: sharedTinyAdapter() });
    await rejectsWith(exportGguf({ run }, deps), 'NOT_EXPORTABLE', /has no merged model/);
  });

  it('a blob the server reports at a path this computer does not have: found through OLLAMA_MODELS, or refused with what to do', async () => {
    // What `ollama show` says inside a container: /root/.ollama/models/blobs/sha256-…, not this disk's path.
    const proxy = await rewritingProxy(server.host, (from) => `/nonexistent-container-root/.ollama/models/blobs/${path.basename(from)}`);
    cleanups.push(proxy.close);
    const run = makeRunFolder(tmp, tiny, { id: 'run-remote' });
    const lost = core(proxy.host);
    const err = await rejectsWith(exportGguf({ run, quantize: 'f16' }, lost.deps), 'NOT_FOUND', /not on this computer's disk/);
    assert.match(err.hint ?? '', /OLLAMA_MODELS/);
    assert.equal(fs.existsSync(path.join(run, 'exports', 'tiny-test-run-f16.gguf')), false);

    const found = core(proxy.host, { OLLAMA_MODELS: server.modelsDir });
    const res = await exportGguf({ run, quantize: 'f16' }, found.deps);
    assert.equal(summarise(await readGgufHeader(res.path)).architecture, 'llama');
    assert.ok([1, 32].includes(summarise(await readGgufHeader(res.path)).fileType!));
  });

  it("the model layer is the one in Ollama's manifest (the test server's own store agrees with /api/show)", async () => {
    const { ctx } = core(server.host);
    const name = `hone-test/manifest-${process.pid}`;
    const sent = await createOllamaHandlers(ctx, { runFolders: true })['ollama.send']({ runId: makeRunFolder(tmp, tiny, { id: 'run-manifest' }), name, quantize: 'q8_0' });
    const { ollamaModelLayer } = await import('../ollama-layer');
    const layer = await ollamaModelLayer(url, sent.name, { HOME: tmp });
    assert.equal(layer.localPath, modelBlob(server.modelsDir, sent.name));
  });
});
