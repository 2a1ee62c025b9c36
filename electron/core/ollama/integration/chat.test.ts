/**
 * 'ollama.chat' / 'ollama.chatStop' against a real Ollama with the tiny model: tokens stream as events tagged
 * with the requestId and add up to the result; Stop ends a long reply early and keeps what came; an unknown
 * model is MODEL_NOT_FOUND.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ChatChunk } from '../../../shared/types/ollama';
import { createContext } from '../../app';
import { createOllamaHandlers } from '../handlers';
import { sharedTinyModel, testPython } from './fixtures';
import { startOllamaForTests, type TestOllama } from './test-server';

const skip = testPython() ? false : 'no Python for the tiny model (set HONE_PYTHON)';

describe('chat through the core (real Ollama)', { skip }, () => {
  let server: TestOllama | null = null;
  let tmp: string;
  let close: () => Promise<void>;
  let handlers: ReturnType<typeof createOllamaHandlers>;
  const chunks: ChatChunk[] = [];
  const model = `hone-chat/tiny-${process.pid}:latest`;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-chat-it-'));
    let host = process.env.HONE_TEST_OLLAMA_HOST;
    if (!host) {
      server = await startOllamaForTests();
      host = server.host;
    }
    const c = createContext({ mode: 'headless', paths: { dataDir: tmp }, env: { OLLAMA_HOST: host } });
    close = c.close;
    c.ctx.bus.on('ollama.chat', (chunk) => chunks.push(chunk));
    handlers = createOllamaHandlers(c.ctx, { runFolders: true });
    await handlers['ollama.send']({ runId: sharedTinyModel(), name: model, quantize: 'f16', overwrite: true });
  });

  after(async () => {
    await close?.();
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('streams tokens as events for its requestId; they add up to the resolved reply', async () => {
    const requestId = 'chat-a';
    const res = await handlers['ollama.chat']({ requestId, model, messages: [{ role: 'user', content: 'Hello!' }], options: { maxTokens: 8, temperature: 0.8 } });
    const mine = chunks.filter((c) => c.requestId === requestId);
    assert.ok(mine.length >= 1);
    assert.equal(mine.at(-1)!.done, true);
    assert.equal(mine.filter((c) => c.done).length, 1, 'one final chunk');
    assert.equal(mine.map((c) => c.content).join(''), res.content);
    assert.ok(mine.every((c) => c.model === model && !c.error));
  });

  it('a reply cut by the length limit says so (done_reason "length"), on the result and the last chunk; think:false is always accepted', async () => {
    // Random weights may stop on their own at once; a few prompts find one that runs into the 2-token limit.
    let res: { doneReason: string | null; thinking: string } | null = null;
    for (let i = 0; i < 5 && res?.doneReason !== 'length'; i++) {
      res = await handlers['ollama.chat']({ requestId: `chat-len-${i}`, model, messages: [{ role: 'user', content: `Say something long, number ${i}.` }], options: { maxTokens: 2, temperature: 1 } });
    }
    assert.equal(res?.doneReason, 'length');
    assert.equal(res?.thinking, '', 'no thinking from a model without the capability');
    const last = chunks.filter((c) => c.requestId.startsWith('chat-len-')).at(-1);
    assert.equal(last?.doneReason, 'length');
    assert.deepEqual(await handlers['ollama.show']({ model }), { capabilities: ['completion'], family: 'llama' });
  });

  it('chatStop ends a long reply early and the request resolves with what arrived', async () => {
    const requestId = 'chat-long';
    const pending = handlers['ollama.chat']({ requestId, model, messages: [{ role: 'user', content: 'Tell me a long story.' }], options: { maxTokens: 5000 } });
    // Stop once the first token is out (or after a while if the model is slow to load).
    const deadline = Date.now() + 60_000;
    while (!chunks.some((c) => c.requestId === requestId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const t = Date.now();
    const { stopped } = await handlers['ollama.chatStop']({ requestId });
    // Random weights may emit a stop token on their own; then there was nothing left to stop.
    if (!stopped) assert.ok(chunks.some((c) => c.requestId === requestId && c.done), 'not stopped only because it had ended');
    const res = await pending;
    assert.ok(Date.now() - t < 5000, 'the reply ended promptly');
    const mine = chunks.filter((c) => c.requestId === requestId);
    assert.equal(mine.at(-1)!.done, true);
    assert.equal(mine.map((c) => c.content).join(''), res.content);
    assert.deepEqual(await handlers['ollama.chatStop']({ requestId }), { stopped: false }, 'nothing left to stop');
  });

  it('an unknown model is MODEL_NOT_FOUND, with an error chunk for the panel', async () => {
    await assert.rejects(handlers['ollama.chat']({ requestId: 'chat-missing', model: 'no-such-model:latest', messages: [{ role: 'user', content: 'hi' }] }), (e: { code: string }) => e.code === 'MODEL_NOT_FOUND');
    const last = chunks.filter((c) => c.requestId === 'chat-missing').at(-1);
    assert.equal(last?.done, true);
    assert.match(last?.error ?? '', /no model named/);
  });
});
