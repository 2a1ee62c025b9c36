/**
 * Send to Ollama against a REAL Ollama server (the CI-built v0.11.4, or the suite's shared one) with the real
 * tiny Llama: created, listed, our template and stops in /api/show, a chat reply; second send uploads nothing;
 * Ollama dying mid-upload gives OLLAMA_UNAVAILABLE and a retry after restart works; bad input is refused
 * before a single byte is read.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, proxyOllama, startOllamaForTests, type OllamaProxy, type TestOllama } from './test-server';
import type { ExportProgress } from '../../../shared/types/ollama';
import { HoneError } from '../../../shared/errors';
import { createContext } from '../../app';
import { createOllamaHandlers } from '../handlers';
import { readFolderExports } from '../run-source';
import crypto from 'node:crypto';
import { hashFile } from '../blobs';
import { sanitisedTokenizerConfig } from '../upload-config';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TEMPLATE_FIXTURES, fixtureSource } from '../testdata/chat-templates';
import { ggufKeys, modelBlob } from './gguf-keys';
import { loadHfTemplate } from '../hf-template';
import { deriveTemplate } from '../template-derive';
import { copyAsBf16, makeRunFolder, registerRun, sharedTinyAdapter, sharedTinyModel, testPython } from './fixtures';
import { getRunStore } from '../../store';
import { REPO_ROOT } from '../../paths';

const skip = testPython() ? false : 'no Python for the tiny model (set HONE_PYTHON)';

async function rejectsWith(p: Promise<unknown>, code: string): Promise<HoneError> {
  try {
    await p;
  } catch (err) {
    assert.equal((err as HoneError).code, code, `expected ${code}, got ${(err as HoneError).code}: ${(err as Error).message}`);
    return err as HoneError;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

describe('send to Ollama (real server)', { skip }, () => {
  let tmp: string;
  let tiny: string;
  let ownServer: TestOllama | null = null;
  let upstream: string;
  let proxy: OllamaProxy;
  const cleanups: (() => Promise<void> | void)[] = [];

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-ollama-it-'));
    tiny = sharedTinyModel();
    // Its own server even under npm test: these tests count blob uploads, so the blob store must start empty
    // (the suite's shared server already holds files other tests sent).
    ownServer = await startOllamaForTests();
    upstream = ownServer.host;
    proxy = await proxyOllama(upstream);
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c();
    await proxy?.close();
    await ownServer?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function core(host: string, resourcesDir?: string) {
    const { ctx, close } = createContext({ mode: 'cli', paths: { dataDir: fs.mkdtempSync(path.join(tmp, 'data-')), ...(resourcesDir ? { resourcesDir } : {}) }, env: { OLLAMA_HOST: host } });
    cleanups.push(close);
    const events: ExportProgress[] = [];
    ctx.bus.on('ollama.progress', (e) => events.push(e));
    return { ctx, handlers: createOllamaHandlers(ctx, { runFolders: true }), events };
  }

  const uniqueName = (base: string) => `hone-test/${base}-${process.pid}-${Date.now().toString(36)}`;
  const blobPosts = () => proxy.requests.filter((r) => r.startsWith('POST /api/blobs/')).length;
  /** The digests of the blobs asked about (HEAD) since request number `from`: a shared server may already hold some. */
  const blobsAsked = (from: number) => new Set(proxy.requests.slice(from).filter((r) => r.startsWith('HEAD /api/blobs/')).map((r) => r.slice('HEAD /api/blobs/'.length)));
  const digestsOf = async (dir: string) => new Set(await Promise.all(fs.readdirSync(dir).filter((f) => f !== 'README.md' && f !== 'exports.json').map((f) => hashFile(path.join(dir, f)))));
  const upstreamUrl = () => `http://${upstream}`;


  it('sends the tiny model, which Ollama lists, templates as ChatML with our stops, and chats with', async () => {
    const { handlers, events } = core(proxy.host);
    const run = makeRunFolder(tmp, tiny, { id: 'run-main' });
    const name = uniqueName('tiny');
    const mark = proxy.requests.length;
    const res = await handlers['ollama.send']({ runId: run, name, quantize: 'q8_0', system: 'You are a test.' });
    assert.equal(res.name, `${name}:latest`);
    assert.match(res.digest ?? '', /^[0-9a-f]{64}$/);
    // Every model file, and only those; tokenizer_config.json as the copy without a chat template, automatic BOS/EOS off.
    const sent = sanitisedTokenizerConfig(tiny)!;
    assert.equal(sent.chat_template, undefined);
    assert.equal(sent.add_bos_token, false);
    const configDigest = `sha256:${crypto.createHash('sha256').update(JSON.stringify(sent, null, 2)).digest('hex')}`;
    const original = await hashFile(path.join(tiny, 'tokenizer_config.json'));
    const expected = new Set([...(await digestsOf(tiny))].filter((d) => d !== original));
    assert.deepEqual(blobsAsked(mark), new Set([...expected, configDigest]), 'every model file, and only those, went to Ollama as a blob');

    const stages = new Set(events.map((e) => e.stage));
    for (const s of ['hashing', 'uploading', 'creating', 'quantizing', 'done']) assert.ok(stages.has(s), `progress reached ${s}: ${[...stages]}`);
    const hashing = events.filter((e) => e.stage === 'hashing');
    assert.equal(hashing.at(-1)!.done, hashing.at(-1)!.total, 'hashing ends at 100%');
    assert.ok(events.every((e) => e.exportId === res.exportId));

    const tags = (await (await fetch(`${upstreamUrl()}/api/tags`)).json()) as { models: { name: string; digest: string; details: { quantization_level: string } }[] };
    const listed = tags.models.find((m) => m.name === res.name);
    assert.ok(listed, `${res.name} is in /api/tags`);
    assert.equal(listed.digest, res.digest);
    assert.equal(listed.details.quantization_level, 'Q8_0');

    const show = (await (await fetch(`${upstreamUrl()}/api/show`, { method: 'POST', body: JSON.stringify({ model: res.name }) })).json()) as { template: string; parameters: string; system?: string };
    // The template derived from the tiny model's own (ChatML with {% generation %} markers), checked at export.
    const derived = deriveTemplate(loadHfTemplate(tiny, '2025-01-01')!);
    assert.equal(show.template, derived.template);
    for (const stop of ['<|im_end|>', '<|im_start|>']) assert.match(show.parameters, new RegExp(`stop\\s+"${stop.replace(/[|]/g, '\\|')}"`));
    assert.equal(show.system, 'You are a test.');
    assert.match(res.templateCheck, /Ollama feeds the same (text|number of tokens) as training did for 4 of 4 probe conversations/);
    assert.ok(!tags.models.some((m) => m.name.startsWith('hone-check-')), 'the scratch model is gone');

    // The tiny model's weights are random, so for some seeds its first sampled token is a stop and the reply is
    // empty; a few seeds tell "the template lets it talk" apart from that chance.
    const replies: { message: { role: string; content: string }; done_reason: string }[] = [];
    for (let seed = 1; seed <= 5 && !replies.some((r) => r.message.content); seed++) {
      const body = { model: res.name, messages: [{ role: 'user', content: 'What is the capital of France?' }], stream: false, options: { num_predict: 12, seed } };
      replies.push((await (await fetch(`${upstreamUrl()}/api/chat`, { method: 'POST', body: JSON.stringify(body) })).json()) as (typeof replies)[number]);
    }
    const reply = replies.find((r) => r.message.content);
    assert.ok(reply, `a non-empty reply: ${JSON.stringify(replies)}`);
    assert.equal(reply.message.role, 'assistant');

    const recorded = readFolderExports(run);
    assert.equal(recorded.length, 1);
    assert.deepEqual(
      { ...recorded[0], createdAt: '' },
      { name: res.name, quantize: 'q8_0', digest: res.digest, createdAt: '', template: { source: 'derived', check: res.templateCheck, date: null, system: 'You are a test.' } },
    );
  });

  it('finds a run in the run store by id, quantises its bf16 weights to q4_K_M, and shows the export on the run', async () => {
    const { ctx, handlers } = core(proxy.host);
    const bf16 = path.join(tmp, 'tiny-bf16');
    if (!fs.existsSync(bf16)) copyAsBf16(tiny, bf16);
    const dir = makeRunFolder(tmp, bf16, { id: 'run-store' });
    registerRun(ctx, dir, { id: 'run-store-1', model: 'tiny-test-model' });
    const name = uniqueName('q4');
    const res = await handlers['ollama.send']({ runId: 'run-store-1', name, quantize: 'q4_K_M' });
    const tags = (await (await fetch(`${upstreamUrl()}/api/tags`)).json()) as { models: { name: string; details: { quantization_level: string } }[] };
    assert.equal(tags.models.find((m) => m.name === res.name)?.details.quantization_level, 'Q4_K_M');
    const detail = getRunStore(ctx).getRunDetail('run-store-1');
    assert.deepEqual(detail?.exports.map((e) => [e.name, e.quantize, e.digest]), [[res.name, 'q4_K_M', res.digest]]);

    registerRun(ctx, dir, { id: 'run-store-failed', model: 'tiny-test-model', status: 'failed' });
    const err = await rejectsWith(handlers['ollama.send']({ runId: 'run-store-failed', name: uniqueName('failed'), quantize: 'q8_0' }), 'NOT_EXPORTABLE');
    assert.match(err.message, /failed; only a completed run/);
    await rejectsWith(handlers['ollama.send']({ runId: 'no-such-run', name: uniqueName('none'), quantize: 'q8_0' }), 'NOT_FOUND');
  });

  it('sends only the LoRA adapter onto the same base already in Ollama, and says what to do when the base is missing', async () => {
    // A catalogue whose entry says which Ollama model is this run's base, as the real entries do (llama3.2:1b…).
    const resources = fs.mkdtempSync(path.join(tmp, 'resources-'));
    const catalogue = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'resources', 'models.json'), 'utf8')) as { models: Record<string, unknown>[] };
    const base = uniqueName('base');
    const demo = catalogue.models.find((m) => m.id === 'smollm2-135m-instruct')!; // a Llama with ChatML, like the tiny model
    const withBase = { ...demo, id: 'tiny-with-base', ollamaBase: base };
    const missingBase = { ...demo, id: 'tiny-missing-base', ollamaBase: uniqueName('never-pulled') };
    // A Qwen2 base: Ollama applies adapters to llama and gemma2 bases only, so pulling it would not help.
    const qwenBase = { ...demo, id: 'qwen-missing-base', architecture: 'Qwen2ForCausalLM', ollamaBase: uniqueName('qwen-never-pulled') };
    fs.writeFileSync(path.join(resources, 'models.json'), JSON.stringify({ ...catalogue, models: [withBase, missingBase, qwenBase] }));
    const { ctx, handlers, events } = core(proxy.host, resources);

    await handlers['ollama.send']({ runId: makeRunFolder(tmp, tiny, { id: 'run-base' }), name: base, quantize: 'f16' });
    const adapterRun = makeRunFolder(tmp, null, { id: 'run-adapter', adapterDir: sharedTinyAdapter() });
    registerRun(ctx, adapterRun, { id: 'run-adapter-1', model: 'tiny-with-base' });
    events.length = 0;
    const mark = proxy.requests.length;
    const res = await handlers['ollama.send']({ runId: 'run-adapter-1', name: uniqueName('lora'), quantize: 'q4_K_M' });
    const adapterFiles = await Promise.all(['adapter_config.json', 'adapter_model.safetensors'].map((f) => hashFile(path.join(adapterRun, 'adapter', f))));
    assert.deepEqual(blobsAsked(mark), new Set(adapterFiles), 'adapter_config.json and adapter_model.safetensors only');
    const show = (await (await fetch(`${upstreamUrl()}/api/show`, { method: 'POST', body: JSON.stringify({ model: res.name }) })).json()) as { template: string; details: { parent_model: string } };
    assert.equal(show.details.parent_model, `${base}:latest`);
    assert.equal(show.template, deriveTemplate(loadHfTemplate(sharedTinyAdapter(), '2025-01-01')!).template);
    assert.equal(getRunStore(ctx).getRunDetail('run-adapter-1')?.exports[0].quantize, `adapter on ${base}`);
    assert.ok(!events.some((e) => e.stage === 'quantizing'));

    registerRun(ctx, adapterRun, { id: 'run-adapter-2', model: 'tiny-missing-base' });
    const err = await rejectsWith(handlers['ollama.send']({ runId: 'run-adapter-2', name: uniqueName('lora2'), quantize: 'q8_0' }), 'UNSUPPORTED_ARCH');
    assert.match(err.message, /not in Ollama/);
    assert.match(err.hint ?? '', /ollama pull hone-test\/never-pulled/);
    registerRun(ctx, adapterRun, { id: 'run-adapter-3', model: 'qwen-missing-base' });
    const qwenErr = await rejectsWith(handlers['ollama.send']({ runId: 'run-adapter-3', name: uniqueName('lora3'), quantize: 'q8_0' }), 'UNSUPPORTED_ARCH');
    assert.doesNotMatch(qwenErr.hint ?? '', /ollama pull/, 'no pull hint for a base Ollama cannot put adapters on');
  });

  it('a second send of the same files uploads no blob, and an existing name needs overwrite', async () => {
    const { handlers, events } = core(proxy.host);
    const run = makeRunFolder(tmp, tiny, { id: 'run-again' });
    const name = uniqueName('again');
    await handlers['ollama.send']({ runId: run, name, quantize: 'f16' });
    const postsBefore = blobPosts();
    const err = await rejectsWith(handlers['ollama.send']({ runId: run, name, quantize: 'f16' }), 'MODEL_EXISTS');
    assert.match(err.hint ?? '', /replace/);
    assert.equal(blobPosts(), postsBefore);
    events.length = 0;
    const again = await handlers['ollama.send']({ runId: run, name, quantize: 'f16', overwrite: true });
    assert.equal(blobPosts(), postsBefore, 'no blob POSTed the second time');
    assert.ok(proxy.requests.some((r) => r.startsWith('HEAD /api/blobs/')), 'it asked Ollama which blobs it has');
    assert.ok(events.some((e) => e.stage === 'uploading' && e.total === 0), 'the upload stage had nothing to send');
    assert.equal(again.name, `${name}:latest`);
  });

  it('refuses an invalid name and an unsupported architecture before reading or uploading anything', async () => {
    const { handlers, events } = core(proxy.host);
    const run = makeRunFolder(tmp, tiny, { id: 'run-refuse' });
    const seen = proxy.requests.length;
    for (const bad of ['My Model', 'UPPER', 'a/b/c', '-dash', 'name:', 'x'.repeat(81)]) {
      await rejectsWith(handlers['ollama.send']({ runId: run, name: bad, quantize: 'q8_0' }), 'BAD_MODEL_NAME');
    }
    assert.equal(proxy.requests.length, seen, 'a bad name never reaches Ollama');

    const qwen3 = makeRunFolder(tmp, tiny, { id: 'run-qwen3', architecture: 'Qwen3ForCausalLM' });
    const err = await rejectsWith(handlers['ollama.send']({ runId: qwen3, name: uniqueName('qwen3'), quantize: 'q8_0' }), 'UNSUPPORTED_ARCH');
    assert.match(err.message, /Qwen3ForCausalLM/);
    assert.match(err.hint ?? '', /GGUF/);
    assert.equal(proxy.requests.filter((r, i) => i >= seen && r.includes('/api/blobs/')).length, 0, 'no blob request for an unsupported architecture');
    assert.equal(events.length, 0, 'no hashing or upload started');
  });

  it('a template that mentions tools and <think> (Qwen3) is not embedded: the GGUF has no chat template, so no Ollama version can prefer it', async () => {
    const { handlers } = core(proxy.host);
    const run = makeRunFolder(tmp, tiny, { id: 'run-qwen3-template' });
    const cfgPath = path.join(run, 'merged', 'tokenizer_config.json');
    const qwen3 = TEMPLATE_FIXTURES.find((f) => f.name === 'qwen3')!;
    fs.writeFileSync(cfgPath, JSON.stringify({ ...JSON.parse(fs.readFileSync(cfgPath, 'utf8')), chat_template: fixtureSource(qwen3) }));
    const res = await handlers['ollama.send']({ runId: run, name: uniqueName('thinker'), quantize: 'f16' });
    assert.match(res.templateCheck, /for 4 of 4 probe conversations/);
    const keys = ggufKeys(modelBlob(ownServer!.modelsDir, res.name));
    assert.ok(keys.has('general.architecture'), 'the GGUF metadata was read');
    assert.equal(keys.has('tokenizer.chat_template'), false, 'no chat template inside the model file');
    assert.equal(keys.get('tokenizer.ggml.add_bos_token'), false);
    const show = (await (await fetch(`${upstreamUrl()}/api/show`, { method: 'POST', body: JSON.stringify({ model: res.name }) })).json()) as { template: string; capabilities?: string[] };
    assert.match(show.template, /<think>\\n\\n<\/think>\\n\\n/, 'the non-thinking generation prompt, as training saw it');
    assert.doesNotMatch(show.template, /\.Tools|\.Think/);
  });

  it('refuses Ollama older than 0.5.5 before hashing or uploading anything', async () => {
    // A boundary double: a server answering /api/version as 0.5.4 (a release we cannot run here), counting requests.
    const seen: string[] = [];
    const old = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.setHeader('Content-Type', 'application/json');
      res.end(req.url === '/api/version' ? JSON.stringify({ version: '0.5.4' }) : JSON.stringify({ models: [] }));
    });
    await new Promise<void>((r) => old.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => old.close(() => r())));
    const { handlers, events } = core(`127.0.0.1:${(old.address() as AddressInfo).port}`);
    const err = await rejectsWith(handlers['ollama.send']({ runId: makeRunFolder(tmp, tiny, { id: 'run-old' }), name: uniqueName('old'), quantize: 'q8_0' }), 'OLLAMA_ERROR');
    assert.match(err.message, /0\.5\.5 or newer \(this is 0\.5\.4\)/);
    assert.deepEqual(seen.filter((r) => !r.startsWith('GET /api/version')), [], 'nothing but the version was asked');
    assert.equal(events.length, 0, 'no hashing started');
  });

  it('says Ollama is not running, with how to start it, when nothing listens', async () => {
    const { handlers, events } = core(`127.0.0.1:${await freePort()}`);
    const status = await handlers['ollama.status']();
    assert.equal(status.running, false);
    assert.match(status.hint ?? '', /ollama serve/);
    assert.match(status.hint ?? '', /ollama\.com\/download/);
    const run = makeRunFolder(tmp, tiny, { id: 'run-down' });
    const err = await rejectsWith(handlers['ollama.send']({ runId: run, name: uniqueName('down'), quantize: 'q8_0' }), 'OLLAMA_UNAVAILABLE');
    assert.match(err.hint ?? '', /send it later/);
    assert.equal(events.length, 0);
  });

  it('Ollama stopping mid-upload gives a clear error; after a restart the same send succeeds', async () => {
    const port = await freePort();
    const modelsDir = fs.mkdtempSync(path.join(tmp, 'models-'));
    let server = await startOllamaForTests({ port, modelsDir });
    cleanups.push(() => server.stop());
    const cut = await proxyOllama(server.host);
    cleanups.push(() => cut.close());
    let killed = false;
    cut.onBody = (req, forwarded) => {
      // Half a megabyte into the weights: the real server dies with the upload in flight.
      if (!killed && req.method === 'POST' && forwarded >= 512 * 1024) {
        killed = true;
        server.process.kill('SIGKILL');
      }
    };
    const { handlers } = core(cut.host);
    const run = makeRunFolder(tmp, tiny, { id: 'run-cut' });
    const name = uniqueName('cut');
    const err = await rejectsWith(handlers['ollama.send']({ runId: run, name, quantize: 'f16' }), 'OLLAMA_UNAVAILABLE');
    assert.ok(killed, 'the server was killed during a blob upload');
    assert.match(err.message, /stopped answering|not running/);
    assert.match(err.hint ?? '', /ollama serve/);

    await server.stop();
    server = await startOllamaForTests({ port, modelsDir });
    const res = await handlers['ollama.send']({ runId: run, name, quantize: 'f16' });
    const tags = (await (await fetch(`http://${server.host}/api/tags`)).json()) as { models: { name: string }[] };
    assert.ok(tags.models.some((m) => m.name === res.name));
  });
});
