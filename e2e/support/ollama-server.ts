/**
 * A real Ollama server for the tests: the binary .ci/run builds from Ollama's Go module (v0.11.4) into
 * ~/.cache/hone-ci/bin, or HONE_OLLAMA_BIN. Started on a free loopback port with a throw-away model store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TestOllama {
  host: string;
  version: string;
  modelsDir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function ollamaBinary(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [env.HONE_OLLAMA_BIN, path.join(os.homedir(), '.cache', 'hone-ci', 'bin', 'ollama')].filter(Boolean) as string[];
  const hit = candidates.find((c) => fs.existsSync(c));
  if (!hit) {
    throw new Error(
      'No Ollama server binary for the tests. Run .ci/run once (it builds one with `go install github.com/ollama/ollama@v0.11.4` into ~/.cache/hone-ci/bin), or set HONE_OLLAMA_BIN.',
    );
  }
  return hit;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function startOllamaForTests(opts: { port?: number; modelsDir?: string } = {}): Promise<TestOllama> {
  const bin = ollamaBinary();
  const port = opts.port ?? (await freePort());
  const host = `127.0.0.1:${port}`;
  const modelsDir = opts.modelsDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hone-ollama-'));
  const ownsDir = !opts.modelsDir;
  const child = spawn(bin, ['serve'], {
    env: { ...process.env, OLLAMA_HOST: host, OLLAMA_MODELS: modelsDir, OLLAMA_NOPRUNE: '1', HOME: process.env.HOME ?? os.homedir() },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const deadline = Date.now() + 30_000;
  let version = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`ollama serve exited with ${child.exitCode}:\n${stderr}`);
    try {
      const res = await fetch(`http://${host}/api/version`);
      if (res.ok) {
        version = ((await res.json()) as { version: string }).version;
        break;
      }
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!version) {
    child.kill('SIGKILL');
    throw new Error(`ollama serve did not answer on ${host} within 30 s:\n${stderr}`);
  }
  return {
    host,
    version,
    modelsDir,
    process: child,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, 5000);
          child.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      if (ownsDir) fs.rmSync(modelsDir, { recursive: true, force: true });
    },
  };
}
