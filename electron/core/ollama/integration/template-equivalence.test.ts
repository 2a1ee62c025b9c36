/**
 * Every catalogue family's REAL chat template (testdata/chat-templates, sources in its index.json) through a
 * REAL Ollama: a model is created on the tiny model's weights with the template Hone derives, the probe
 * conversations are rendered by Ollama, and the result must be the Hugging Face render, character for
 * character (the TRACE log on 0.11.4, _debug_render_only from 0.11.5) and token for token (prompt_eval_count
 * against the same text tokenised by the model's tokenizer.json, where the server reports counts).
 * Then the same through `send-to-ollama` on SmolLM2-135M-Instruct's real weights and tokenizer, when present.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createContext } from '../../app';
import { hashFile, uploadBlob } from '../blobs';
import { createOllamaHandlers } from '../handlers';
import { readMergedFolder } from '../model-folder';
import { PROBE_CONVERSATIONS, renderThroughOllama } from '../render-probe';
import { folderTokenCounter } from '../template-check';
import { deriveTemplate } from '../template-derive';
import { TEMPLATE_FIXTURES, fixtureTemplate } from '../testdata/chat-templates';
import { withSanitisedConfig } from '../upload-config';
import { sharedRealModel } from '../../models/integration/real-model';
import { sharedTinyModel, testPython } from './fixtures';
import { startOllamaForTests, type TestOllama } from './test-server';

const skip = testPython() ? false : 'no Python for the tiny model (set HONE_PYTHON)';

/** The prompts the server passed to its runner, in order (OLLAMA_DEBUG=2). */
function renderedPrompts(log: string): string[] {
  const out: string[] = [];
  for (const m of log.matchAll(/level=TRACE [^\n]*msg="completion request" prompt=(?:("(?:[^"\\]|\\.)*")|(\S*))/g)) out.push(m[1] ? (JSON.parse(m[1]) as string) : m[2]);
  return out;
}

describe('derived templates in a real Ollama render what training rendered', { skip }, () => {
  let server: TestOllama;
  let files: Record<string, string>;
  let count: (text: string) => number;
  const base = () => `http://${server.host}`;

  before(async () => {
    server = await startOllamaForTests({ env: { OLLAMA_DEBUG: '2' } });
    const tiny = sharedTinyModel();
    const folder = readMergedFolder(tiny);
    assert.ok(folder);
    count = folderTokenCounter(tiny)!;
    const upload = withSanitisedConfig(folder.files, tiny);
    files = {};
    for (const f of upload.files) {
      const digest = await hashFile(f.path);
      await uploadBlob(base(), digest, f.path, () => undefined);
      files[f.name] = digest;
    }
    upload.cleanup();
  });

  after(async () => {
    await server?.stop();
  });

  /** Ollama's prompt for a conversation: the text, and the token count when the server reports one. */
  async function ollamaPrompt(model: string, messages: { role: string; content: string }[]): Promise<{ text: string; tokens: number | null }> {
    const before = renderedPrompts(server.log()).length;
    const r = await renderThroughOllama(base(), model, messages);
    if (r.kind === 'text') return { text: r.text, tokens: null };
    // The log reaches us through a pipe, a moment after the HTTP reply.
    for (let i = 0; i < 50; i++) {
      const prompts = renderedPrompts(server.log()).slice(before);
      if (prompts.length) return { text: prompts[0], tokens: r.count };
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('no rendered prompt in the server log');
  }

  for (const fixture of TEMPLATE_FIXTURES) {
    it(`${fixture.name} (${fixture.model})`, async () => {
      const hf = fixtureTemplate(fixture);
      const d = deriveTemplate(hf);
      const model = `tpl-${fixture.name.replace(/[^a-z0-9]/g, '-')}`;
      const res = await fetch(`${base()}/api/create`, {
        method: 'POST',
        body: JSON.stringify({ model, files, template: d.template, parameters: { stop: d.stop }, ...(d.defaultSystem ? { system: d.defaultSystem } : {}), stream: false }),
      });
      assert.equal(res.status, 200, await res.text());
      let compared = 0;
      for (const probe of PROBE_CONVERSATIONS) {
        let expected: string;
        try {
          expected = hf.render(probe.messages, true);
        } catch {
          assert.equal(d.systemSupported, false, `${probe.name}: only a template without system messages may refuse a probe`);
          continue;
        }
        const got = await ollamaPrompt(model, probe.messages);
        assert.equal(got.text, expected, `${fixture.name} / ${probe.name}: text`);
        // The tiny tokenizer converts with llama.cpp's generic pre-tokenizer, which splits digits in threes where
        // Hugging Face's byte-level BPE does not: counts are compared on texts without digits (Llama's date lines
        // have some). Real Llama 3 tokenizers convert as llama-bpe, which matches Hugging Face.
        if (got.tokens !== null && !/\d/.test(expected)) assert.equal(got.tokens, count(expected), `${fixture.name} / ${probe.name}: tokens`);
        compared++;
      }
      assert.ok(compared >= (d.systemSupported ? 4 : 2), `${compared} probes compared`);
    });
  }
});

describe('send-to-ollama on SmolLM2-135M-Instruct: the default system prompt, token for token', { skip }, () => {
  it('the export checks itself and the model gets the system prompt SmolLM2 was trained with', async () => {
    // The real model and its real tokenizer: on 0.11.4 the check compares prompt_eval_count with tokenizer.json's count.
    const smol = await sharedRealModel({ python: testPython()! });
    const server = await startOllamaForTests();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-smol-'));
    const { ctx, close } = createContext({ mode: 'cli', paths: { dataDir: tmp }, env: { OLLAMA_HOST: server.host } });
    try {
      const handlers = createOllamaHandlers(ctx, { runFolders: true });
      const res = await handlers['ollama.send']({ runId: smol, name: 'hone-test/smollm2', quantize: 'f16' });
      assert.match(res.templateCheck, /Ollama feeds the same (text|number of tokens) as training did for 4 of 4/);
      const show = (await (await fetch(`http://${server.host}/api/show`, { method: 'POST', body: JSON.stringify({ model: res.name }) })).json()) as { system?: string };
      assert.equal(show.system, 'You are a helpful AI assistant named SmolLM, trained by Hugging Face');
    } finally {
      await close();
      await server.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
