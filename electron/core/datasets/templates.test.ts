// Rows rendered as the trainer sees them: TS template families, a model folder's own Jinja template (the
// tiny model's, with {% generation %} markers), the trained part marked, and token counts that match the
// Python tokenizer the sidecar uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../paths';
import type { NormalisedMessage } from '../../shared/types/dataset';
import { resolveModel } from './model';
import { renderRows } from './render';
import { renderFamily, joinSegments } from './templates/families';
import { jinjaRenderer } from './templates/jinja';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (f: string) => path.join(here, 'fixtures', f);
const TINY = fixture('tiny-model');
const RESOURCES = path.join(REPO_ROOT, 'resources');
const convo: NormalisedMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Capital of France?' },
  { role: 'assistant', content: 'Paris.' },
  { role: 'user', content: 'And Spain?' },
  { role: 'assistant', content: 'Madrid.' },
];
const trained = (segs: { text: string; train: boolean }[]) => segs.filter((s) => s.train).map((s) => s.text);

test('template families: the exact text of each, with only the assistant answers (and their end token) trained', () => {
  assert.equal(
    joinSegments(renderFamily('llama3', convo)),
    '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nCapital of France?<|eot_id|>' +
      '<|start_header_id|>assistant<|end_header_id|>\n\nParis.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nAnd Spain?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nMadrid.<|eot_id|>',
  );
  assert.deepEqual(trained(renderFamily('llama3', convo)), ['Paris.<|eot_id|>', 'Madrid.<|eot_id|>']);
  assert.deepEqual(trained(renderFamily('chatml', convo)), ['Paris.<|im_end|>', 'Madrid.<|im_end|>']);
  assert.equal(joinSegments(renderFamily('mistral', convo)), '<s>[INST] Be brief.\n\nCapital of France? [/INST]Paris.</s>[INST] And Spain? [/INST]Madrid.</s>');
  assert.match(joinSegments(renderFamily('gemma', convo)), /^<bos><start_of_turn>user\nBe brief.\n\nCapital of France\?<end_of_turn>\n<start_of_turn>model\nParis.<end_of_turn>\n/);
  assert.deepEqual(trained(renderFamily('phi3', convo)), ['Paris.<|end|>', 'Madrid.<|end|>']);
  assert.deepEqual(trained(renderFamily('phi4', convo)), ['Paris.<|im_end|>', 'Madrid.<|im_end|>']);
});

test("a model folder's Jinja template with {% generation %} markers: trained spans are exactly the marked ones", () => {
  const t = resolveModel(TINY, RESOURCES);
  assert.equal(t.counter.kind, 'tokenizer');
  const segs = t.renderer.segments(convo);
  assert.equal(joinSegments(segs), t.renderer.text(convo));
  assert.equal(joinSegments(segs), '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\nParis.<|im_end|>\n<|im_start|>user\nAnd Spain?<|im_end|>\n<|im_start|>assistant\nMadrid.<|im_end|>\n');
  assert.deepEqual(trained(segs), ['Paris.<|im_end|>', 'Madrid.<|im_end|>']);
});

test('a Jinja template without markers: the assistant turns are found by rendering growing prefixes', () => {
  const src = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}</s>{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";
  const r = jinjaRenderer(src, {}, 'test');
  assert.deepEqual(trained(r.segments(convo)), ['Paris.</s>', 'Madrid.</s>']);
  assert.equal(joinSegments(r.segments(convo)), r.text(convo));
});

test('token counts from the folder tokenizer equal the Python tokenizer the sidecar trains with', { skip: !process.env.HONE_PYTHON && 'HONE_PYTHON is not set (npm test sets it)' }, () => {
  const t = resolveModel(TINY, RESOURCES);
  const texts = [t.renderer.text(convo), 'Ünïcödé and emoji 🚀, numbers 12345, and   spaces.', t.renderer.text([{ role: 'user', content: 'Größe?' }, { role: 'assistant', content: '日本語のテキスト' }])];
  const py = spawnSync(process.env.HONE_PYTHON!, ['-c', 'import json,sys\nfrom tokenizers import Tokenizer\nt=Tokenizer.from_file(sys.argv[1])\nprint(json.dumps([len(t.encode(s, add_special_tokens=False).ids) for s in json.load(sys.stdin)]))', path.join(TINY, 'tokenizer.json')], { input: JSON.stringify(texts), encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  assert.deepEqual(texts.map((s) => t.counter.count(s)), JSON.parse(py.stdout));
});

test('renderRows: the first rows of a file, DPO rows twice (chosen and rejected), with token counts', async () => {
  const t = resolveModel('chatml', RESOURCES);
  const sft = await renderRows({ path: fixture('alpaca.jsonl'), template: t, rows: 2 });
  assert.deepEqual(sft.map((r) => r.line), [1, 2]);
  assert.equal(sft[0].template, 'chatml');
  assert.deepEqual(trained(sft[0].segments), ['Paris is the capital of France.<|im_end|>']);
  assert.ok(sft[0].tokens > 5);
  const dpo = await renderRows({ path: fixture('dpo.jsonl'), template: t, rows: 1 });
  assert.deepEqual(dpo.map((r) => [r.line, r.variant, trained(r.segments)]), [
    [1, 'chosen', ['Madrid.<|im_end|>']],
    [1, 'rejected', ['Barcelona.<|im_end|>']],
  ]);
});

test('models: a catalogue id gives its family, an unknown name a clear error', () => {
  assert.equal(resolveModel('llama-3.2-1b-instruct', RESOURCES).renderer.label, 'llama3');
  assert.equal(resolveModel('gemma', RESOURCES).renderer.label, 'gemma');
  assert.throws(() => resolveModel('no-such-model', RESOURCES), { code: 'NOT_FOUND' });
});
