// The data folder and everything in it are the user's alone (issue #13: it was 755/644 on shared GPU servers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore } from './app';
import { REPO_ROOT } from './paths';

const mode = (p: string) => fs.statSync(p).mode & 0o777;

test('the data folder is 0700 and what Hone writes there is 0600 (settings, database, datasets, secrets)', { skip: process.platform === 'win32' && 'POSIX modes' }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-private-'));
  const dataDir = path.join(tmp, 'data');
  const core = createCore({ mode: 'headless', paths: { dataDir }, env: {} });
  try {
    assert.equal(mode(dataDir), 0o700);
    await core.handlers['settings.set']({ theme: 'dark' });
    await core.handlers['models.setToken']({ token: 'hf_0123456789abcdef' });
    await core.handlers['runs.list']();
    const imported = await core.handlers['datasets.import']({ path: path.join(REPO_ROOT, 'resources', 'samples', 'sft-sample.jsonl'), badRows: 'stop', evalPercent: 10 });
    // The sidecar inherits the umask: a file a child process creates is private too.
    execFileSync('/bin/sh', ['-c', `touch "${path.join(dataDir, 'from-a-child')}"`]);
    const files: string[] = [];
    const dirs: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) {
          dirs.push(p);
          walk(p);
        } else files.push(p);
      }
    };
    walk(dataDir);
    for (const f of ['settings.json', 'hone.db', path.join('secrets', 'hf-token'), 'from-a-child']) assert.ok(files.includes(path.join(dataDir, f)), f);
    assert.ok(files.includes(imported.trainPath));
    for (const f of files) assert.equal(mode(f), 0o600, `${path.relative(dataDir, f)} is ${mode(f).toString(8)}`);
    for (const d of dirs) assert.equal(mode(d), 0o700, `${path.relative(dataDir, d)}/ is ${mode(d).toString(8)}`);
  } finally {
    await core.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('a data folder and database an older version left readable by all are tightened on start', { skip: process.platform === 'win32' && 'POSIX modes' }, async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-private-'));
  fs.chmodSync(dataDir, 0o755);
  fs.writeFileSync(path.join(dataDir, 'hone.db'), '', { mode: 0o644 });
  fs.chmodSync(path.join(dataDir, 'hone.db'), 0o644);
  const core = createCore({ mode: 'headless', paths: { dataDir }, env: {} });
  try {
    assert.equal(mode(dataDir), 0o700);
    await core.handlers['runs.list']();
    assert.equal(mode(path.join(dataDir, 'hone.db')), 0o600);
  } finally {
    await core.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
