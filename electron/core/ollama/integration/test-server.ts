/**
 * A real Ollama server for the tests: the binary .ci/run builds from Ollama's Go module (v0.11.4) into
 * ~/.cache/hone-ci/bin, or HONE_OLLAMA_BIN. Started on a free loopback port with a throw-away model store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TestOllama {
  host: string;
  version: string;
  modelsDir: string;
  process: ChildProcess;
  /** What the server wrote to stderr (its log): the tail, or all of it when started with OLLAMA_DEBUG. */
  log(): string;
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

/** port/modelsDir: reuse them to "restart" a server on the same address with the same blobs. env: extra
 *  variables for `ollama serve` (e.g. OLLAMA_DEBUG=2 to log rendered prompts, read back through log()). */
export async function startOllamaForTests(opts: { port?: number; modelsDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TestOllama> {
  const bin = ollamaBinary();
  const port = opts.port ?? (await freePort());
  const host = `127.0.0.1:${port}`;
  const modelsDir = opts.modelsDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hone-ollama-'));
  const ownsDir = !opts.modelsDir;
  const child = spawn(bin, ['serve'], {
    env: { ...process.env, OLLAMA_HOST: host, OLLAMA_MODELS: modelsDir, OLLAMA_NOPRUNE: '1', HOME: process.env.HOME ?? os.homedir(), ...opts.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  // Kept whole only when asked (a debug server's log is what the test reads); otherwise the tail for errors.
  const keep = opts.env?.OLLAMA_DEBUG ? 8_000_000 : 4000;
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d).slice(-keep);
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
    log: () => stderr,
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

export type OllamaForTest = Pick<TestOllama, 'host' | 'stop'>;

/** The Ollama a test file talks to: the one `npm test` started for every file (HONE_TEST_OLLAMA_HOST), or, when the
 *  file runs alone, a server of its own. stop() stops only a server this call started. */
export async function ollamaForTestFile(): Promise<OllamaForTest> {
  const shared = process.env.HONE_TEST_OLLAMA_HOST;
  if (shared) return { host: shared, stop: async () => {} };
  return startOllamaForTests();
}

/**
 * A pass-through HTTP proxy in front of a real Ollama, for tests that must see the traffic: which blobs were
 * POSTed (a second send must upload none), and a hook that fires as request bodies stream through, so a
 * test can kill the real server at a chosen byte of an upload. It forwards everything unchanged; when the
 * upstream connection dies it destroys the client's socket, as a dying server's kernel would.
 */
export interface OllamaProxy {
  host: string;
  /** "METHOD /path" of every request, in order. */
  requests: string[];
  /** Called with each request's bytes forwarded so far. */
  onBody: ((req: { method: string; url: string }, forwarded: number) => void) | null;
  close(): Promise<void>;
}

export async function proxyOllama(target: string): Promise<OllamaProxy> {
  const [targetHost, targetPort] = target.split(':');
  const proxy: OllamaProxy = { host: '', requests: [], onBody: null, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const info = { method: req.method ?? 'GET', url: req.url ?? '/' };
    proxy.requests.push(`${info.method} ${info.url}`);
    const upstream = http.request(
      { host: targetHost, port: Number(targetPort), method: info.method, path: info.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        up.on('error', () => res.destroy());
      },
    );
    upstream.on('error', () => {
      req.socket.destroy();
    });
    let forwarded = 0;
    req.on('data', (chunk: Buffer) => {
      forwarded += chunk.length;
      proxy.onBody?.(info, forwarded);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
