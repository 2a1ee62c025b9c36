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
import { ollamaForTestFile, type OllamaForTest } from './test-server';

const skip = testPython() ? false : 'no Python for the tiny model (set HONE_PYTHON)';

describe('chat through the core (real Ollama)', { skip }, () => {
  let server: OllamaForTest | null = null;
  let tmp: string;
  let close: () => Promise<void>;
  let handlers: ReturnType<typeof createOllamaHandlers>;
  let baseUrl = '';
  const chunks: ChatChunk[] = [];
  const model = `hone-chat/tiny-${process.pid}:latest`;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-chat-it-'));
    server = await ollamaForTestFile();
    const host = server.host;
    baseUrl = `http://${host}`;
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

  it('a thinking model (its template renders <think> blocks, as Qwen3 and DeepSeek-R1 do) answers in the chat: think off by default, on when asked', async () => {
    // Ollama infers the thinking capability and its tags from a {{ .Thinking }} inside the messages loop. With
    // thinking on, the prompt ends in an open <think> (as DeepSeek-R1's does), so the server reads whatever
    // comes next as thinking: on Ollama 0.12.4+, which thinks by default when no `think` is sent, a chat that
    // left `think` out would get an empty answer here. Checked on 0.12.6 built from its module (the default
    // case fails when chat.ts omits `think`); CI runs it on 0.11.4.
    const thinker = `hone-chat/thinker-${process.pid}:latest`;
    const template =
      '{{- range .Messages }}<|im_start|>{{ .Role }}\n' +
      '{{- if and (eq .Role "assistant") .Thinking }}<think>{{ .Thinking }}</think>{{ end }}{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n' +
      '{{- if .Think }}<think>\n{{ end }}';
    const res = await fetch(`${baseUrl}/api/create`, {
      method: 'POST',
      body: JSON.stringify({ model: thinker, from: model, template, stream: false }),
    });
    assert.equal(res.status, 200, await res.text());
    assert.ok((await handlers['ollama.show']({ model: thinker })).capabilities.includes('thinking'), 'Ollama sees a thinking model');
    const ask = async (think: boolean | undefined, i: number) => {
      // Random weights may stop at once: a few tries find a reply with something in it.
      let r: Awaited<ReturnType<(typeof handlers)['ollama.chat']>> | null = null;
      for (let k = 0; k < 5 && !(r && (r.content || r.thinking)); k++) {
        const options = { maxTokens: 8, temperature: 1, ...(think === undefined ? {} : { think }) };
        r = await handlers['ollama.chat']({ requestId: `chat-think-${i}-${k}`, model: thinker, messages: [{ role: 'user', content: `What is ${i + k} plus 2?` }], options });
      }
      return r!;
    };
    // The default (what the chat page sends unless "show thinking" is on): a reply in content, nothing hidden.
    const plain = await ask(undefined, 0);
    assert.ok(plain.content.length > 0, 'a reply, not an empty answer hidden in the thinking field');
    assert.equal(plain.thinking, '');
    // Asked to think: accepted by the server (a model without the capability is refused), and the reply arrives.
    const thought = await ask(true, 10);
    // (0.12+ reads what follows the open <think> as thinking; 0.11.4 does not look at the prompt's end.)
    assert.ok(thought.content.length + thought.thinking.length > 0);
    await assert.rejects(handlers['ollama.chat']({ requestId: 'chat-think-refused', model, messages: [{ role: 'user', content: 'hi' }], options: { think: true } }), /thinking|think/i);
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
