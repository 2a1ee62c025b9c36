/**
 * A real core context for the models tests, pointed at the stand-in Hub (fake-hub.ts) and sealed off from
 * the machine: HOME is a temporary folder, so ~/.cache/huggingface (the default cache and token file) is
 * the test's own, and no Hub variable of the test runner leaks in.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ModelSpec } from '../../../shared/types/model';
import { createContext } from '../../app';
import type { CoreContext } from '../../context';
import { REPO_ROOT } from '../../paths';
import { createModelHandlers } from '../handlers';
import type { DownloadDeps } from '../downloader';
import type { FakeHub } from './fake-hub';

export interface TestContext {
  ctx: CoreContext;
  h: ReturnType<typeof createModelHandlers>;
  events: { channel: string; payload: unknown }[];
  /** The fake home folder: ~/.cache/huggingface lives under it. */
  home: string;
  /** huggingface_hub's default cache for this home. */
  defaultCache: string;
  close(): Promise<void>;
}

// Catalogue entries shaped like the real ones (the catalogue validates them), pointing at stand-in repos.
const template = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'resources', 'models.json'), 'utf8')) as { models: ModelSpec[] }).models.find((m) => !m.demo)!;
export const catalogueEntry = (id: string, hfId: string, gated = false): ModelSpec => ({ ...template, id, name: id, hfId, hfId4bit: `unsloth/${id}-bnb-4bit`, gated });

export const fastDeps: DownloadDeps = { retryDelayMs: 1, progressIntervalMs: 0, freeBytes: async () => 1e12 };

const dirs: string[] = [];
export function cleanupTestDirs(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export function testContext(hub: FakeHub, opts: { env?: NodeJS.ProcessEnv; models?: ModelSpec[]; deps?: DownloadDeps } = {}): TestContext {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-models-'));
  dirs.push(root);
  const dataDir = path.join(root, 'data');
  const home = path.join(root, 'home');
  const resourcesDir = path.join(root, 'res');
  fs.mkdirSync(resourcesDir, { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  const models = opts.models ?? [catalogueEntry('tiny-chat', 'acme/tiny-chat'), catalogueEntry('gated-chat', 'acme/gated-chat', true)];
  fs.writeFileSync(path.join(resourcesDir, 'models.json'), JSON.stringify({ models }));
  const { ctx, close } = createContext({ mode: 'headless', paths: { dataDir, resourcesDir }, env: { HOME: home, USERPROFILE: home, HF_ENDPOINT: hub.url, ...opts.env } });
  const events: { channel: string; payload: unknown }[] = [];
  ctx.bus.onAny((channel, payload) => events.push({ channel, payload }));
  return { ctx, h: createModelHandlers(ctx, opts.deps ?? fastDeps), events, home, defaultCache: path.join(home, '.cache', 'huggingface', 'hub'), close };
}
