/**
 * The chat template a GGUF carries renders, on a day other than the training day and with thinking asked for
 * (what llama.cpp does by default), exactly what training rendered: for every real template fixture and the
 * export's probe conversations. And the BOS/EOS flags follow transformers' tokenizer for each kind of folder.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Template } from '@huggingface/jinja';
import { PROBE_CONVERSATIONS } from '../ollama/render-probe';
import { TEMPLATE_FIXTURES, fixtureSource, fixtureTemplate, fixtureTokenizerConfig } from '../ollama/testdata/chat-templates';
import { ggufChatTemplate, ggufPrompt, tokenizerSpecials } from './gguf-template';

const TRAINING_DAY = '2024-07-26';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-gguf-tpl-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('GGUF chat template', () => {
  for (const f of TEMPLATE_FIXTURES) {
    it(`${f.name}: renders what training rendered, on another day and with thinking asked for`, () => {
      const trained = fixtureTemplate(f, TRAINING_DAY);
      const gguf = ggufChatTemplate(fixtureSource(f), TRAINING_DAY);
      const tpl = new Template(gguf.template);
      const cfg = fixtureTokenizerConfig(f);
      let compared = 0;
      for (const probe of PROBE_CONVERSATIONS) {
        let expected: string;
        try {
          expected = trained.render(probe.messages, true);
        } catch {
          continue; // the model's own template refuses this conversation (Gemma 2 and a system message)
        }
        // @huggingface/jinja's own strftime_now answers today, as llama.cpp's does.
        const got = tpl.render({ messages: probe.messages, add_generation_prompt: true, enable_thinking: true, bos_token: cfg.bos_token ?? '', eos_token: cfg.eos_token });
        assert.equal(got, expected, `${probe.name}`);
        compared++;
      }
      assert.ok(compared >= 2, `compared ${compared} conversations`);
    });
  }

  it('fixes the training day where the template prints one, and says so', () => {
    const llama = TEMPLATE_FIXTURES.find((f) => f.name.startsWith('llama-3.2'))!;
    const g = ggufChatTemplate(fixtureSource(llama), TRAINING_DAY);
    assert.equal(g.date, TRAINING_DAY);
    assert.equal(g.unfixedDate, false);
    assert.match(g.template, /"26 Jul 2024"/);
    assert.doesNotMatch(g.template, /strftime_now\s*\(/, 'no call is left (an `is defined` test may stay)');
    const smol = ggufChatTemplate(fixtureSource(TEMPLATE_FIXTURES.find((f) => f.name === 'smollm2')!), TRAINING_DAY);
    assert.equal(smol.date, null);
    assert.equal(smol.template, fixtureSource(TEMPLATE_FIXTURES.find((f) => f.name === 'smollm2')!), 'a template without dates or markers is carried unchanged');
  });

  it('turns {% generation %} markers into no-ops and pins a thinking switch off', () => {
    const g = ggufChatTemplate("{%- generation -%}{{ 'x' }}{%- endgeneration -%}{% if enable_thinking %}T{% endif %}", TRAINING_DAY);
    assert.equal(new Template(g.template).render({ enable_thinking: true }), 'x');
    assert.equal(g.thinkingOff, true);
  });

  it('leaves a date it cannot fix (a computed format) to the reader, and says so', () => {
    const g = ggufChatTemplate('{{ strftime_now(fmt) }}', TRAINING_DAY);
    assert.equal(g.unfixedDate, true);
  });
});

function folder(name: string, cfg: Record<string, unknown>, postProcessor?: unknown): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(cfg));
  if (postProcessor !== undefined) fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify({ post_processor: postProcessor }));
  return dir;
}

describe('BOS and EOS for llama.cpp', () => {
  it('a ChatML tokenizer that adds nothing (SmolLM2, Qwen2.5): no BOS, no EOS', () => {
    assert.deepEqual(tokenizerSpecials(folder('smol', { bos_token: '<|im_start|>', eos_token: '<|im_end|>', add_bos_token: false }, null)), { addBos: false, addEos: false });
    assert.deepEqual(tokenizerSpecials(folder('qwen', { bos_token: null, eos_token: '<|im_end|>' }, { type: 'ByteLevel' })), { addBos: false, addEos: false });
  });

  it("Llama 3: the post-processor puts <|begin_of_text|> first, so the tokenizer adds BOS", () => {
    const pp = { type: 'Sequence', processors: [{ type: 'ByteLevel' }, { type: 'TemplateProcessing', single: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }] }] };
    assert.deepEqual(tokenizerSpecials(folder('llama3', { bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>' }, pp)), { addBos: true, addEos: false });
  });

  it('the flags in tokenizer_config.json win (Mistral, Gemma: add_bos_token true)', () => {
    const pp = { type: 'TemplateProcessing', single: [{ Sequence: { id: 'A', type_id: 0 } }] };
    assert.deepEqual(tokenizerSpecials(folder('mistral', { bos_token: '<s>', eos_token: '</s>', add_bos_token: true, add_eos_token: false }, pp)), { addBos: true, addEos: false });
  });

  it('the patch sets the template, both flags and the name', () => {
    const dir = folder('patch', { bos_token: '<|im_start|>', eos_token: '<|im_end|>', add_bos_token: false, chat_template: "{{ 'hi' }}" });
    const p = ggufPrompt({ tokenizerDir: dir, date: TRAINING_DAY, name: 'my-model' });
    assert.equal(p.chatTemplate, "{{ 'hi' }}");
    assert.deepEqual(Object.fromEntries(Object.entries(p.patch).map(([k, v]) => [k, v?.value])), {
      'general.name': 'my-model',
      'tokenizer.ggml.add_bos_token': false,
      'tokenizer.ggml.add_eos_token': false,
      'tokenizer.chat_template': "{{ 'hi' }}",
    });
  });
});
