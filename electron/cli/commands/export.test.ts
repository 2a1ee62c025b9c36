// `hone export` as a user runs it (a real CLI process): usage errors exit 2 with the reason; --to gguf --json
// against a real Ollama writes the file where --out says, refuses to replace it without --overwrite; --to card
// writes README.md; progress goes to stderr.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeRunFolder, sharedTinyAdapter, sharedTinyModel, testPython } from '../../core/ollama/integration/fixtures';
import { ollamaForTestFile, type OllamaForTest } from '../../core/ollama/integration/test-server';
import { REPO_ROOT } from '../../core/paths';

const skip = testPython() ? false : 'no Python for the tiny model (set HONE_PYTHON)';

describe('hone export', { skip }, () => {
  let tmp: string;
  let server: OllamaForTest | null = null;
  let host: string;
  let run: string;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-cli-export-'));
    run = makeRunFolder(tmp, sharedTinyModel(), { id: 'cli-export', adapterDir: sharedTinyAdapter() });
    server = await ollamaForTestFile();
    host = server.host;
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function hone(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [path.join(REPO_ROOT, 'electron', 'cli', 'bin.mjs'), 'export', ...args], {
        env: { ...process.env, HONE_DATA_DIR: path.join(tmp, 'data'), OLLAMA_HOST: host, HOME: tmp },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
  }

  it('usage errors exit 2 and say what is wrong', async () => {
    for (const [args, msg] of [
      [[run], /--to is required/],
      [[run, '--to', 'zip'], /--to is one of gguf, lmstudio, adapter, card, not "zip"/],
      [[run, '--to', 'gguf', '--quantize', 'q3_K'], /--quantize is one of q4_K_M, q5_K_M, q8_0, f16/],
      [[run, '--to', 'card', '--out', tmp], /--out is for --to gguf and --to adapter/],
      [['--to', 'gguf'], /give one run/],
    ] as [string[], RegExp][]) {
      const r = await hone(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, msg);
    }
  });

  it('--to gguf --out DIR --json: the file in that folder, the result on stdout, progress on stderr; no silent overwrite', async () => {
    const out = path.join(tmp, 'out');
    const r = await hone([run, '--to', 'gguf', '--quantize', 'q8_0', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { path: string; target: string; quantize: string; bytes: number; detail: string; source: { created: boolean }; check: { architecture: string; chatTemplate: string | null } };
    assert.equal(res.path, path.join(out, 'tiny-test-run-q8_0.gguf'));
    assert.equal(res.bytes, fs.statSync(res.path).size);
    assert.deepEqual([res.target, res.quantize, res.source.created, res.check.architecture], ['gguf', 'q8_0', true, 'llama']);
    assert.ok(res.check.chatTemplate, 'the chat template is in the file');
    assert.match(r.stderr, /converting/);
    assert.match(r.stderr, /writing: .* \(100%\)/);
    const again = await hone([run, '--to', 'gguf', '--quantize', 'q8_0', '--out', out]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists[\s\S]*--overwrite/);
  });

  it('--to card: README.md in the run folder, named on stdout', async () => {
    const r = await hone([run, '--to', 'card', '--license', 'mit', '--tags', 'a, b']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`README\\.md[\\s\\S]*${path.join(run, 'README.md').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const card = fs.readFileSync(path.join(run, 'README.md'), 'utf8');
    assert.match(card, /^license: "mit"$/m);
    assert.match(card, /^- "a"\n- "b"$/m);
  });
});
