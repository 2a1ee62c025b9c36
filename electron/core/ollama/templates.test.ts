import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHAT_FORMATS, detectFamily } from './templates';

// Distinctive fragments of the families' published Jinja templates.
const JINJA = {
  llama3: "{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{% endfor %}",
  chatml: "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}",
  mistral: "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% endif %}{% endfor %}",
  gemma: "{{ bos_token }}{% for message in messages %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}",
  phi3: "{% for message in messages %}{{'<|' + message['role'] + '|>' + '\\n' + message['content'] + '<|end|>\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}",
  phi4: "{% for message in messages %}{{'<|im_start|>' + message['role'] + '<|im_sep|>' + message['content'] + '<|im_end|>'}}{% endfor %}",
} as const;

describe('chat template families', () => {
  it('recognises each family from its Jinja template (Phi-4 before ChatML, which shares <|im_start|>)', () => {
    for (const [family, jinja] of Object.entries(JINJA)) assert.equal(detectFamily(jinja), family);
    assert.equal(detectFamily('{{ messages }}'), null);
    assert.equal(detectFamily(null), null);
  });

  it('never renders .System: the system prompt arrives once, inside .Messages', () => {
    for (const f of Object.values(CHAT_FORMATS)) {
      assert.doesNotMatch(f.template, /\.System/, f.family);
      assert.match(f.template, /range \$i, \$_ := \.Messages/, f.family);
      assert.ok(f.stop.length > 0, f.family);
    }
  });
});
