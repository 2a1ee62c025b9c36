import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../paths';
import { parseEventLine } from './parse-line';
import { protocolValidators } from './schema';

const v = protocolValidators(path.join(REPO_ROOT, 'python-runtime'));

test('schema-valid lines become events', () => {
  const line = JSON.stringify({ type: 'metrics', seq: 7, ts: '2025-01-01T00:00:00.000Z', step: 3, max_steps: 10, epoch: 0.3, loss: 1.5, entropy: 2.1 });
  assert.deepEqual(parseEventLine(line, v, 6), JSON.parse(line));
  assert.equal(parseEventLine('   ', v, 6), null);
});

test('a stray print, a broken event or an unknown type becomes a warning log instead of a crash', () => {
  const stray = parseEventLine('Loading checkpoint shards: 100%', v, 4);
  assert.equal(stray?.type, 'log');
  assert.ok(stray?.type === 'log' && stray.level === 'warning' && /non-protocol line: Loading checkpoint/.test(stray.message));
  assert.equal(stray?.seq, 4);
  const wrongType = parseEventLine(JSON.stringify({ type: 'metrics', seq: 5, ts: '2025-01-01T00:00:00Z', step: 'three', max_steps: 10, epoch: 0 }), v, 4);
  assert.ok(wrongType?.type === 'log' && /breaks the protocol \(\/step must be integer\)/.test(wrongType.message), JSON.stringify(wrongType));
  const unknown = parseEventLine(JSON.stringify({ type: 'telemetry', seq: 5, ts: '2025-01-01T00:00:00Z' }), v, 4);
  assert.ok(unknown?.type === 'log' && /unknown event type "telemetry"/.test(unknown.message));
});
