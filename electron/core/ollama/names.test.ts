import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HoneError } from '../../shared/errors';
import { assertModelName, checkModelName, withDefaultTag } from './names';

describe('Ollama model names', () => {
  it('accepts what Ollama accepts: name, name:tag, namespace/name:tag, dots and dashes', () => {
    for (const ok of ['tiny', 'my-model', 'my_model.v2', 'me/my-model', 'me/my-model:v1.0', 'llama3.2:1b', '_x', '9lives:q4_k_m']) {
      assert.equal(checkModelName(ok).ok, true, ok);
    }
  });

  it('refuses the rest with a reason that says what to change', () => {
    const cases: [string, RegExp][] = [
      ['', /Give the model a name/],
      [' tiny', /spaces/],
      ['My-Model', /lowercase.*"my-model"/],
      ['a/b/c', /at most one "\/"/],
      ['-dash', /start with a letter/],
      ['tiny:', /tag is empty/],
      ['na.me/model', /namespace/],
      ['has space', /may only contain/],
      ['x'.repeat(81), /longer than 80/],
      ['ok:' + 't'.repeat(81), /tag is longer/],
    ];
    for (const [name, why] of cases) {
      const r = checkModelName(name);
      assert.equal(r.ok, false, name);
      assert.match(r.reason ?? '', why, name);
    }
  });

  it('assertModelName throws BAD_MODEL_NAME', () => {
    assert.throws(() => assertModelName('Bad Name'), (e: HoneError) => e.code === 'BAD_MODEL_NAME' && /not a valid Ollama model name/.test(e.message));
  });

  it('adds the implicit :latest tag the way /api/tags lists names', () => {
    assert.equal(withDefaultTag('tiny'), 'tiny:latest');
    assert.equal(withDefaultTag('me/tiny'), 'me/tiny:latest');
    assert.equal(withDefaultTag('me/tiny:v1'), 'me/tiny:v1');
  });
});
