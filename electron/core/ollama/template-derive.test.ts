/**
 * Deriving Ollama templates from the REAL chat templates of every catalogue family (testdata/chat-templates,
 * sources named in its index.json). Here the Go template's behaviour is mirrored in TS (renderLikeOllama);
 * integration/template-equivalence.test.ts renders the same through a real Ollama.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderLikeOllama } from './go-template';
import { hfTemplate } from './hf-template';
import { DeriveError, deriveTemplate } from './template-derive';
import { PROBE_CONVERSATIONS } from './render-probe';
import { TEMPLATE_FIXTURES, fixtureTemplate } from './testdata/chat-templates';

const byName = (name: string) => {
  const f = TEMPLATE_FIXTURES.find((x) => x.name === name);
  assert.ok(f, name);
  return f;
};

describe('derived Ollama templates render what the model was trained on', () => {
  for (const fixture of TEMPLATE_FIXTURES) {
    it(`${fixture.name}: every probe conversation renders as the Hugging Face template does`, () => {
      const hf = fixtureTemplate(fixture);
      const d = deriveTemplate(hf);
      for (const probe of PROBE_CONVERSATIONS) {
        if (probe.messages[0].role === 'system' && !d.systemSupported) continue;
        const expected = hf.render(probe.messages, true);
        const got = renderLikeOllama(d.transitions, probe.messages, { system: d.defaultSystem, systemBeforeLastUser: d.systemSeparator });
        assert.equal(got, expected, `${fixture.name} / ${probe.name}`);
      }
      assert.ok(d.stop.includes(fixture.eos_token), `${fixture.name} stops on its EOS`);
      assert.doesNotMatch(d.template, /\.System|\.Tools|\.Think/, 'the Go template claims no tools or thinking');
    });
  }

  it('finds the default system prompts that training saw', () => {
    assert.equal(deriveTemplate(fixtureTemplate(byName('smollm2'))).defaultSystem, 'You are a helpful AI assistant named SmolLM, trained by Hugging Face');
    assert.equal(deriveTemplate(fixtureTemplate(byName('qwen2.5'))).defaultSystem, 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.');
    // Llama 3.1 always prints a system header with its date lines; the default content is empty.
    const llama = deriveTemplate(fixtureTemplate(byName('llama-3.1')));
    assert.equal(llama.defaultSystem, '');
    assert.match(llama.transitions['start>user'], /^<\|begin_of_text\|><\|start_header_id\|>system<\|end_header_id\|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<\|eot_id\|>/);
    assert.equal(deriveTemplate(fixtureTemplate(byName('phi-3.5'))).defaultSystem, null);
  });

  it('prints the training day where the template asks strftime_now (Llama 3.2) and records it', () => {
    const d = deriveTemplate(fixtureTemplate(byName('llama-3.2'), '2025-03-05'));
    assert.match(d.transitions['start>user'], /Today Date: 05 Mar 2025\n\n/);
    assert.equal(d.dateUsed, '2025-03-05');
    assert.equal(deriveTemplate(fixtureTemplate(byName('llama-3.1'))).dateUsed, null);
  });

  it('Qwen3: the non-thinking generation prompt with its empty think block, stops on <|im_end|>', () => {
    const d = deriveTemplate(fixtureTemplate(byName('qwen3')));
    assert.equal(d.transitions['user>gen'], '<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n');
    assert.equal(d.transitions['user>assistant'], '<|im_end|>\n<|im_start|>assistant\n', 'earlier replies carry no think block');
    assert.ok(d.stop.includes('<|im_end|>'));
  });

  it('Mistral v0.3: the system prompt goes before the last user message', () => {
    const d = deriveTemplate(fixtureTemplate(byName('mistral-v0.3')));
    assert.equal(d.mode, 'system-before-last-user');
    assert.equal(d.systemSeparator, '\n\n');
    const msgs = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }, { role: 'user', content: 'Bye' }];
    assert.equal(renderLikeOllama(d.transitions, msgs, { systemBeforeLastUser: d.systemSeparator }), '<s>[INST] Hi[/INST] Hello</s>[INST] Be brief.\n\nBye[/INST]');
  });

  it('Gemma 2 refuses system messages; a system prompt set in Ollama is folded into the first user turn', () => {
    const d = deriveTemplate(fixtureTemplate(byName('gemma-2')));
    assert.equal(d.systemSupported, false);
    assert.equal(renderLikeOllama(d.transitions, [{ role: 'system', content: 'S' }, { role: 'user', content: 'U' }]), '<bos><start_of_turn>user\nS\n\nU<end_of_turn>\n<start_of_turn>model\n');
    assert.ok(d.stop.includes('<end_of_turn>'));
  });

  it('leaves BOS out when the tokenizer Ollama runs adds it by itself (an adapter on a library base)', () => {
    const d = deriveTemplate(fixtureTemplate(byName('llama-3.1')), { autoBos: true });
    assert.ok(!d.transitions['start>user'].startsWith('<|begin_of_text|>'));
    assert.ok(!d.template.includes('<|begin_of_text|>'));
  });

  it('the Go template quotes every piece of text, so template syntax in a transition stays text', () => {
    const tricky = hfTemplate("{% for m in messages %}{{ '{{ .Evil }}<' + m.role + '>' + m.content }}{% endfor %}{% if add_generation_prompt %}{{ '<assistant>' }}{% endif %}", {}, '2025-01-01');
    const d = deriveTemplate(tricky);
    assert.ok(d.template.includes('"{{ .Evil }}<user>"'));
  });

  it('refuses a template whose turns it cannot describe, so the caller falls back to the family template', () => {
    const weird = hfTemplate("{% for m in messages %}{% if loop.index0 == 2 %}{{ '!' }}{% endif %}{{ m.content }}{% endfor %}", {}, '2025-01-01');
    assert.throws(() => deriveTemplate(weird), DeriveError);
  });
});
