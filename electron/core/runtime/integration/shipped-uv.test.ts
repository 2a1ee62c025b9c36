/**
 * The packaging script fetches uv's binary from its PyPI wheel into resources/bin, and provisioning uses
 * that shipped binary before anything on PATH.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT } from '../../paths';
import { findUv, UV_VERSION } from '../uv';
import { CI_CACHE, tmpDir } from './fixtures';

const dir = tmpDir('resources');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('fetch-uv.mjs puts a working uv into resources/bin, and it is the uv provisioning picks', { timeout: 5 * 60_000, skip: process.platform === 'win32' && 'POSIX paths' }, async () => {
  const out = execFileSync(process.execPath, [path.join(REPO_ROOT, 'electron', 'scripts', 'fetch-uv.mjs'), '--out', path.join(dir, 'bin'), '--cache', path.join(CI_CACHE, 'uv-wheels')], { encoding: 'utf8' });
  assert.match(out, new RegExp(`uv ${UV_VERSION.replace(/\./g, '\\.')} for ${process.platform}-${process.arch}`));
  const shipped = path.join(dir, 'bin', 'uv');
  assert.equal(execFileSync(shipped, ['--version'], { encoding: 'utf8' }).split(' ')[1].trim(), UV_VERSION);
  // Even with another uv on PATH, the one shipped with the app wins; with none on PATH and no bootstrap it is enough.
  assert.equal(await findUv({ resourcesDir: dir, toolsDir: path.join(dir, 'tools'), env: process.env }), shipped);
  assert.equal(await findUv({ resourcesDir: dir, toolsDir: path.join(dir, 'tools'), bootstrap: false, env: { ...process.env, PATH: '/usr/bin:/bin' } }), shipped);
});
