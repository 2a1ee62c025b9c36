import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Progress } from '../../shared/types/progress';
import { parseSize, UvProgressParser } from './uv-progress';

// Lines as `uv 0.9.5 -v pip install` printed them here (an empty cache, numpy large enough for a download line).
const TRANSCRIPT = `DEBUG uv 0.9.5
Using Python 3.11.7 environment at: env
DEBUG Selecting: numpy==2.4.6 [compatible] (numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl)
DEBUG Selecting: six==1.16.0 [compatible] (six-1.16.0-py2.py3-none-any.whl)
DEBUG Tried 2 versions: numpy 1, six 1
Resolved 2 packages in 234ms
DEBUG Identified uncached distribution: six==1.16.0
DEBUG Identified uncached distribution: numpy==2.4.6
Downloading numpy (16.1MiB)
 Downloading numpy
Prepared 2 packages in 712ms
Installed 2 packages in 56ms
 + numpy==2.4.6
 + six==1.16.0`;

function feed(text: string, expected: number): Progress[] {
  const seen: Progress[] = [];
  const parser = new UvProgressParser((p) => seen.push(p), expected);
  for (const line of text.split('\n')) parser.line(line);
  return seen;
}

test('uv output becomes resolving, downloading and installing progress with package names and sizes', () => {
  const seen = feed(TRANSCRIPT, 2);
  const stages = [...new Set(seen.map((p) => p.stage))];
  assert.deepEqual(stages, ['Resolving packages', 'Downloading packages', 'Installing packages']);
  assert.deepEqual(seen[0], { stage: 'Resolving packages', done: 1, total: 2, unit: 'packages', detail: 'numpy 2.4.6' });
  const started = seen.find((p) => p.stage === 'Downloading packages')!;
  assert.equal(started.total, 2);
  assert.match(started.detail ?? '', /numpy \(16\.1MiB\)/);
  const finished = seen.filter((p) => p.stage === 'Downloading packages').at(-1)!;
  assert.equal(finished.done, 2);
  const last = seen.at(-1)!;
  assert.deepEqual(last, { stage: 'Installing packages', done: 2, total: 2, unit: 'packages', detail: 'six 1.16.0' });
  assert.ok(seen.every((p) => p.total === null || p.done <= p.total), 'done never exceeds total');
});

test('an environment that is already complete reports "already installed"', () => {
  const seen = feed('Resolved 72 packages in 780ms\nAudited 72 packages in 1ms', 72);
  assert.deepEqual(seen.at(-1), { stage: 'Installing packages', done: 72, total: 72, unit: 'packages', detail: 'already installed' });
});

test('sizes in uv\'s units', () => {
  assert.equal(parseSize('16.1MiB'), 16.1 * 1024 ** 2);
  assert.equal(parseSize('1.5GiB'), 1.5 * 1024 ** 3);
  assert.equal(parseSize('12 KiB'), 12 * 1024);
  assert.equal(parseSize('lots'), null);
});
