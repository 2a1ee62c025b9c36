/**
 * Starts Hone the way a user of headless mode does (a real `electron/headless/main.ts` process on a free
 * loopback port, with its own data folder) and opens it in Debian's Chromium through playwright-core.
 * Where ELECTRON_PATH is set, `launchElectron` opens the real desktop app on the same page objects.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, _electron, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../electron/core/paths';
import { freePort } from './ollama-server';

export interface HeadlessApp {
  url: string;
  port: number;
  token: string;
  dataDir: string;
  process: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function launchHeadless(opts: { dataDir?: string; env?: NodeJS.ProcessEnv; port?: number } = {}): Promise<HeadlessApp> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hone-data-'));
  const port = opts.port ?? (await freePort());
  const token = crypto.randomBytes(16).toString('hex');
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/headless/main.ts', '--port', String(port), '--data-dir', dataDir], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      HONE_TOKEN: token,
      ...(process.env.HONE_TEST_OLLAMA_HOST ? { OLLAMA_HOST: process.env.HONE_TEST_OLLAMA_HOST } : {}),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 30_000;
  while (!out.includes('?token=')) {
    if (child.exitCode !== null) throw new Error(`headless server exited (${child.exitCode}):\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`headless server did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    dataDir,
    process: child,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.HONE_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

/** Uncaught errors of each page opened with openApp, for specs to assert there were none. */
export const pageErrors = new WeakMap<Page, string[]>();

export async function openApp(browser: Browser, app: HeadlessApp): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  pageErrors.set(page, errors);
  await page.goto(app.url);
  return page;
}

/** The real Electron app, where a binary exists (ELECTRON_PATH); null otherwise. */
export async function launchElectron(dataDir: string): Promise<{ page: Page; close(): Promise<void> } | null> {
  const exe = process.env.ELECTRON_PATH;
  if (!exe || !fs.existsSync(exe)) return null;
  const app = await _electron.launch({ executablePath: exe, args: [REPO_ROOT], env: { ...process.env, HONE_DATA_DIR: dataDir } as Record<string, string> });
  const page = await app.firstWindow();
  return { page, close: () => app.close() };
}

export function screenshotPath(name: string): string {
  const dir = path.join(REPO_ROOT, 'e2e', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}
