/**
 * Every chat-template family rendered by a REAL Ollama: a model is created with each of our Go templates, a
 * conversation is sent, and the prompt Ollama hands the runner (logged at OLLAMA_DEBUG=2) must be exactly the
 * text the family's Hugging Face template produces, with the system prompt present once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startOllamaForTests, type TestOllama } from './test-server';
import type { ChatTemplateFamily } from '../../../shared/types/model';
import { hashFile, uploadBlob } from '../blobs';
import { readMergedFolder } from '../model-folder';
import { CHAT_FORMATS } from '../templates';
import { sharedTinyModel, testPython } from './fixtures';

const skip = testPython() ? false : 'no Python for the tiny model (set HONE_PYTHON)';

const TURNS = [
  { role: 'user', content: 'U1' },
  { role: 'assistant', content: 'A1' },
  { role: 'user', content: 'U2' },
];

// What each family's reference (Hugging Face) template renders for SYSTEM + TURNS with a generation prompt.
const EXPECTED: Record<ChatTemplateFamily, string> = {
  chatml: '<|im_start|>system\nSYS<|im_end|>\n<|im_start|>user\nU1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n<|im_start|>user\nU2<|im_end|>\n<|im_start|>assistant\n',
  llama3:
    '<|start_header_id|>system<|end_header_id|>\n\nSYS<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nU1<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nA1<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nU2<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
  mistral: '[INST] SYS\n\nU1[/INST] A1</s>[INST] U2[/INST]',
  gemma: '<start_of_turn>user\nSYS\n\nU1<end_of_turn>\n<start_of_turn>model\nA1<end_of_turn>\n<start_of_turn>user\nU2<end_of_turn>\n<start_of_turn>model\n',
  phi3: '<|system|>\nSYS<|end|>\n<|user|>\nU1<|end|>\n<|assistant|>\nA1<|end|>\n<|user|>\nU2<|end|>\n<|assistant|>\n',
  phi4: '<|im_start|>system<|im_sep|>SYS<|im_end|><|im_start|>user<|im_sep|>U1<|im_end|><|im_start|>assistant<|im_sep|>A1<|im_end|><|im_start|>user<|im_sep|>U2<|im_end|><|im_start|>assistant<|im_sep|>',
};

/** The prompts the server passed to its runner, in order. slog quotes a value only when it must (spaces, newlines). */
function renderedPrompts(log: string): string[] {
  const out: string[] = [];
  for (const m of log.matchAll(/level=TRACE [^\n]*msg="completion request" prompt=(?:("(?:[^"\\]|\\.)*")|(\S*))/g)) out.push(m[1] ? (JSON.parse(m[1]) as string) : m[2]);
  return out;
}

describe('chat templates rendered by a real Ollama', { skip }, () => {
  let server: TestOllama;
  let files: Record<string, string>;

  before(async () => {
    server = await startOllamaForTests({ env: { OLLAMA_DEBUG: '2' } });
    const folder = readMergedFolder(sharedTinyModel());
    assert.ok(folder);
    files = {};
    for (const f of folder.files) {
      const digest = await hashFile(f.path);
      await uploadBlob(`http://${server.host}`, digest, f.path, () => undefined);
      files[f.name] = digest;
    }
  });

  after(async () => {
    await server?.stop();
  });

  const post = async (route: string, body: unknown) => {
    const res = await fetch(`http://${server.host}${route}`, { method: 'POST', body: JSON.stringify({ ...(body as object), stream: false }) });
    const json = (await res.json()) as { error?: string };
    assert.equal(json.error, undefined, `${route}: ${json.error}`);
    return json;
  };

  for (const family of Object.keys(CHAT_FORMATS) as ChatTemplateFamily[]) {
    it(`${family}: the model's system prompt once, every turn, then the assistant header`, async () => {
      const fmt = CHAT_FORMATS[family];
      const model = `tpl-${family}`;
      await post('/api/create', { model, files, template: fmt.template, parameters: { stop: fmt.stop }, system: 'SYS' });
      const before = renderedPrompts(server.log()).length;
      await post('/api/chat', { model, messages: TURNS, options: { num_predict: 1 } });
      // A system message in the request replaces the model's, and is not doubled either.
      await post('/api/chat', { model, messages: [{ role: 'system', content: 'SYS' }, ...TURNS], options: { num_predict: 1 } });
      // The log reaches us through a pipe, a moment after the HTTP reply.
      let prompts: string[] = [];
      for (let i = 0; i < 50 && prompts.length < 2; i++) {
        prompts = renderedPrompts(server.log()).slice(before);
        if (prompts.length < 2) await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(prompts, [EXPECTED[family], EXPECTED[family]]);
    });
  }
});
