/** The per-release import table (read from Ollama's convert/convert.go at each tag; see README). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MIN_OLLAMA, checkImportable, ollamaFamilyOf, versionAtLeast } from './architectures';
import type { ModelFolder } from './model-folder';

const folder = (architecture: string, config: Record<string, unknown> = {}): ModelFolder => ({ dir: '/x', kind: 'merged', files: [], architecture, config, family: null });

describe('which Ollama imports which architecture', () => {
  it('the floor is 0.5.5, where the JSON create fields arrived', () => {
    assert.equal(MIN_OLLAMA, '0.5.5');
    assert.equal(versionAtLeast('0.5.4', MIN_OLLAMA), false);
    assert.equal(versionAtLeast('0.5.5', MIN_OLLAMA), true);
    assert.equal(versionAtLeast('0.33.0-rc2', MIN_OLLAMA), true);
  });

  it('Qwen2 from 0.5.6, Gemma 3 from 0.6.0; Qwen3 and Mistral never; Phi-4-mini refused', () => {
    assert.equal(checkImportable(folder('Qwen2ForCausalLM'), '0.5.5', null).ok, false);
    assert.equal(checkImportable(folder('Qwen2ForCausalLM'), '0.5.6', null).ok, true);
    assert.equal(checkImportable(folder('Gemma3ForConditionalGeneration'), '0.5.13', null).ok, false);
    assert.equal(checkImportable(folder('Gemma3ForConditionalGeneration'), '0.6.0', null).ok, true);
    assert.equal(checkImportable(folder('Qwen3ForCausalLM'), '0.33.0', null).ok, false);
    assert.equal(checkImportable(folder('MistralForCausalLM'), '0.33.0', null).ok, false);
    assert.equal(checkImportable(folder('Phi3ForCausalLM', { partial_rotary_factor: 0.75 }), '0.33.0', null).ok, false);
  });

  it('the Ollama family an architecture converts to decides whether an adapter can go onto its base', () => {
    assert.equal(ollamaFamilyOf('LlamaForCausalLM'), 'llama');
    assert.equal(ollamaFamilyOf('Gemma2ForCausalLM'), 'gemma2');
    assert.equal(ollamaFamilyOf('Qwen2ForCausalLM'), 'qwen2');
    assert.equal(ollamaFamilyOf(null), null);
  });
});
