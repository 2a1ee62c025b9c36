import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guessTemplateFamily, pickChatTemplate } from './template-family';

test('each family is recognised by its markers', () => {
  const cases: [string, string, number, string][] = [
    ['<|start_header_id|>{{ role }}<|end_header_id|>', 'llama', 128256, 'llama3'],
    ['<|im_start|>user\n{{ c }}<|im_end|>', 'qwen2', 151936, 'chatml'],
    ['<|im_start|>user<|im_sep|>{{ c }}<|im_end|>', 'phi3', 100352, 'phi4'],
    ['<start_of_turn>user\n{{ c }}<end_of_turn>', 'gemma2', 256000, 'gemma'],
    ['<|user|>\n{{ c }}<|end|>\n<|assistant|>', 'phi3', 32064, 'phi3'],
    ['<|user|>{{ c }}<|end|><|assistant|>', 'phi3', 200064, 'phi4'],
    ['[INST] {{ c }} [/INST]', 'mistral', 32768, 'mistral'],
  ];
  for (const [tpl, type, vocab, want] of cases) {
    assert.deepEqual(guessTemplateFamily(tpl, type, vocab), { family: want, fromTemplate: true }, tpl);
  }
});

test('without a template the model type decides, and ChatML is the fallback', () => {
  assert.equal(guessTemplateFamily(null, 'llama', 128256).family, 'llama3');
  assert.equal(guessTemplateFamily(null, 'gemma3_text', 262144).family, 'gemma');
  assert.equal(guessTemplateFamily(null, 'llama', 1024).family, 'chatml');
  assert.equal(guessTemplateFamily('{{ weird }}', 'gpt2', 50257).fromTemplate, false);
});

test('pickChatTemplate takes the default of a named list', () => {
  assert.equal(pickChatTemplate('x'), 'x');
  assert.equal(pickChatTemplate([{ name: 'tool_use', template: 't' }, { name: 'default', template: 'd' }]), 'd');
  assert.equal(pickChatTemplate(undefined), null);
});
