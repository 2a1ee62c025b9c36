// Drift: every request channel has a params schema (and no schema is left without a channel); each schema
// refuses what no channel takes (a bare number, a string, an array, an unknown key).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REQUEST_CHANNELS } from './contract';
import { REQUEST_PARAMS, SCHEMAS_MATCH_TYPES } from './params';

test('every channel in REQUEST_CHANNELS has a schema in REQUEST_PARAMS, and only those', () => {
  assert.deepEqual(Object.keys(REQUEST_PARAMS).sort(), [...REQUEST_CHANNELS].sort());
  assert.ok(SCHEMAS_MATCH_TYPES.every((x) => x === true));
});

test('no schema takes a bare value, an array or an unknown key', () => {
  for (const channel of REQUEST_CHANNELS) {
    const schema = REQUEST_PARAMS[channel];
    for (const junk of [5, 'x', true, [], null, { extra: 'junk' }]) {
      assert.equal(schema.safeParse(junk).success, false, `${channel} accepted ${JSON.stringify(junk)}`);
    }
  }
});
