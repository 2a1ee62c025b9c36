// One strict parser for every command: an unknown or malformed option is a usage error (exit 2) everywhere,
// before anything runs (issue #13: `hone train --processes 2` and `hone data check --nonsense x` ignored it;
// --processes is a real option since issue #15, so a misspelt one stands in for it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../core/paths';
import { main } from './main';
import type { CliIO } from './io';

function hone(args: string[], script = path.join(REPO_ROOT, 'electron', 'cli', 'bin.mjs')): Promise<{ code: number; stdout: string; stderr: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-cli-args-'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO_ROOT, env: { ...process.env, HONE_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

test('hone train --procs 2: a usage error, and no training starts', async () => {
  const r = await hone(['train', '--model', 'smollm2-135m-instruct', '--data', 'resources/samples/sft-sample.jsonl', '--procs', '2']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /hone train: unknown option --procs/);
  assert.equal(r.stdout, '');
});

test('hone data check --nonsense x: a usage error, the file is not read', async () => {
  const r = await hone(['data', 'check', 'resources/samples/sft-sample.jsonl', '--nonsense', 'x']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /hone data: unknown option --nonsense/);
  assert.equal(r.stdout, '');
});

test('npm run serve refuses an unknown option too', async () => {
  const r = await hone(['--nonsense'], path.join(REPO_ROOT, 'electron', 'headless', 'main.ts'));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown option --nonsense/);
});

/** Every verb in commands/, found the way main.ts finds them. */
const VERBS = fs
  .readdirSync(path.join(REPO_ROOT, 'electron', 'cli', 'commands'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3));

function fakeIO(): CliIO & { closeCore(): Promise<void>; errors: string[]; outputs: string[]; coreCreated: boolean } {
  const io = {
    errors: [] as string[],
    outputs: [] as string[],
    coreCreated: false,
    out: (t: string) => io.outputs.push(t),
    err: (t: string) => io.errors.push(t),
    core: () => {
      io.coreCreated = true;
      throw new Error('a usage error must come before the core is touched');
    },
    env: {},
    closeCore: async () => undefined,
  };
  return io;
}

test('every command: an unknown option, a value given to a switch, a missing value are all exit 2 before any work', async () => {
  assert.ok(VERBS.length >= 8, `found ${VERBS.join(', ')}`);
  const cases: Record<string, string[]> = {
    data: ['check', 'x.jsonl'],
    download: ['some/model'],
    'send-to-ollama': ['run-1', '--name', 'x'],
    runs: ['show', 'run-1'],
  };
  for (const verb of VERBS) {
    const base = cases[verb] ?? [];
    for (const bad of [['--nonsense', 'x'], ['--json=yes'], ['--help=1'], ['-z']]) {
      const io = fakeIO();
      const code = await main([verb, ...base, ...bad], io);
      assert.equal(code, 2, `hone ${verb} ${[...base, ...bad].join(' ')}: ${io.errors.join(' ')}`);
      assert.match(io.errors.join('\n'), new RegExp(`^hone ${verb}: `), verb);
      assert.equal(io.coreCreated, false, `hone ${verb} touched the core before refusing ${bad.join(' ')}`);
    }
  }
  // Options that take a value say so when it is missing.
  for (const [verb, args] of [['plan', ['--model']], ['train', ['--model', 'm', '--data']], ['data', ['check', 'x.jsonl', '--format']], ['send-to-ollama', ['run-1', '--name']]] as const) {
    const io = fakeIO();
    assert.equal(await main([verb, ...args], io), 2, `hone ${verb} ${args.join(' ')}`);
    assert.match(io.errors.join('\n'), /needs a value/);
  }
  // Commands without arguments refuse stray ones.
  for (const verb of ['hardware', 'setup', 'train']) {
    const io = fakeIO();
    assert.equal(await main([verb, 'stray'], io), 2, verb);
    assert.match(io.errors.join('\n'), /unexpected argument "stray"/);
  }
});
