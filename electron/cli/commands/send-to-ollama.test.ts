// `hone send-to-ollama` as a user runs it (a real CLI process) against a real Ollama server and the tiny model.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeRunFolder, sharedTinyModel, testPython } from '../../core/ollama/integration/fixtures';
import { ollamaForTestFile, type OllamaForTest } from '../../core/ollama/integration/test-server';
import { REPO_ROOT } from '../../core/paths';

const skip = testPython() ? false : 'no Python for the tiny model (set HONE_PYTHON)';

describe('hone send-to-ollama', { skip }, () => {
  let tmp: string;
  let server: OllamaForTest | null = null;
  let host: string;
  let run: string;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-cli-ollama-'));
    run = makeRunFolder(tmp, sharedTinyModel(), { id: 'cli-run' });
    server = await ollamaForTestFile();
    host = server.host;
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function hone(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [path.join(REPO_ROOT, 'electron', 'cli', 'bin.mjs'), 'send-to-ollama', ...args], {
        env: { ...process.env, HONE_DATA_DIR: path.join(tmp, 'data'), OLLAMA_HOST: host, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
  }

  const name = `hone-cli/tiny-${process.pid}`;

  it('--json: sends a run folder, prints the result, reports progress on stderr', async () => {
    const r = await hone([run, '--name', name, '--quantize', 'q8_0', '--system', 'Be brief.', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { name: string; digest: string; route: string; quantize: string; uploaded: number; check: { ok: boolean }; template: { source: string; system: string } };
    assert.equal(out.check.ok, true);
    assert.deepEqual([out.template.source, out.template.system], ['derived', 'Be brief.']);
    assert.equal(out.name, `${name}:latest`);
    assert.equal(out.route, 'merged');
    assert.equal(out.quantize, 'q8_0');
    assert.match(out.digest, /^[0-9a-f]{64}$/);
    assert.match(r.stderr, /hashing: .*\(100%\)/);
    assert.match(r.stderr, /quantizing/);
    const tags = (await (await fetch(`http://${host}/api/tags`)).json()) as { models: { name: string }[] };
    assert.ok(tags.models.some((m) => m.name === out.name));
  });

  it('human output; an existing name exits 1 with what to do, --overwrite replaces it', async () => {
    const again = await hone([run, '--name', name, '--quantize', 'f16']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already has a model named/);
    const over = await hone([run, '--name', name, '--quantize', 'f16', '--overwrite']);
    assert.equal(over.code, 0, over.stderr);
    assert.match(over.stdout, new RegExp(`${name}:latest is in Ollama \\(f16; 0 files sent, \\d+ already there\\)`));
    assert.match(over.stdout, /Prompt check: Ollama feeds the same (text|number of tokens) as training did for 4 of 4 probe conversations/);
    assert.match(over.stdout, /ollama run /);
  });

  it('usage errors exit 2; a bad name and a stopped Ollama exit 1 with JSON errors', async () => {
    assert.equal((await hone([run])).code, 2);
    assert.equal((await hone([run, '--name', 'x', '--quantize', 'q3'])).code, 2);
    const bad = await hone([run, '--name', 'Bad Name', '--json']);
    assert.equal(bad.code, 1);
    assert.equal((JSON.parse(bad.stdout) as { error: { code: string } }).error.code, 'BAD_MODEL_NAME');
    const down = await hone([run, '--name', 'down', '--json'], { OLLAMA_HOST: '127.0.0.1:9' });
    assert.equal(down.code, 1);
    const err = (JSON.parse(down.stdout) as { error: { code: string; hint: string } }).error;
    assert.equal(err.code, 'OLLAMA_UNAVAILABLE');
    assert.match(err.hint, /ollama serve/);
  });
});
