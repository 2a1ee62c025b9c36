/**
 * The two things the export needs from the runs domain, as a small interface: find a run (its folder, base
 * model, status) and record an export on it. The default reads the run store (SQLite) and falls back to the
 * folder itself (summary.json), which is how the CLI accepts a run folder that the store does not know (a
 * run copied from another machine). Exports are written to both: the store shows them on the run, the
 * folder keeps them with the files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { OllamaExportRecord, RunStatus } from '../../shared/types/runs';
import { perContext, type CoreContext } from '../context';
import { getRunStore } from '../store';

export interface ExportableRun {
  id: string;
  name: string;
  /** null when only a folder is known and it says nothing about its status. */
  status: RunStatus | null;
  outputDir: string;
  /** Catalogue id or local model path the run fine-tuned. */
  modelId: string | null;
  /** When training started (ISO): the day the trainer's chat template printed for "today". */
  trainedAt: string | null;
}

export interface RunSource {
  /** A run id or a run folder; throws NOT_FOUND. */
  get(runIdOrDir: string): Promise<ExportableRun>;
}

export interface ExportLog {
  add(runId: string, record: OllamaExportRecord): Promise<void> | void;
}

export interface RunAccess {
  runs: RunSource;
  exports: ExportLog;
}

const EXPORTS_FILE = 'exports.json';

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function mtimeOf(file: string): string | null {
  try {
    return fs.statSync(file).mtime.toISOString();
  } catch {
    return null;
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** A run described by its folder: summary.json's fields where present, the folder name otherwise. */
export function runFromFolder(dir: string): ExportableRun {
  const outputDir = path.resolve(dir);
  const summary = readJson(path.join(outputDir, 'summary.json')) ?? {};
  const config = (summary.config as Record<string, unknown> | undefined) ?? {};
  return {
    id: str(summary.runId) ?? str(summary.id) ?? path.basename(outputDir),
    name: str(summary.name) ?? path.basename(outputDir),
    // The sidecar's own summary.json has no status but says whether the run was stopped before the end.
    status: (str(summary.status) as RunStatus | null) ?? (typeof summary.stopped === 'boolean' ? (summary.stopped ? 'stopped' : 'completed') : null),
    outputDir,
    modelId: str(summary.model) ?? str(config.model) ?? str(config.model_path) ?? null,
    trainedAt: str(summary.startedAt) ?? str(summary.started_at) ?? str(summary.createdAt) ?? str(summary.finished_at) ?? mtimeOf(path.join(outputDir, 'summary.json')),
  };
}

/** Exports are also kept beside the model files, so a run folder copied elsewhere still knows its history. */
export function readFolderExports(outputDir: string): OllamaExportRecord[] {
  const raw = readJson(path.join(outputDir, EXPORTS_FILE));
  return Array.isArray(raw?.exports) ? (raw.exports as OllamaExportRecord[]) : [];
}

/** Rewrites exports.json through `update`, keeping what other exporters keep there (the files list). */
export function updateFolderExports(outputDir: string, update: (raw: Record<string, unknown>) => Record<string, unknown>): void {
  const file = path.join(outputDir, EXPORTS_FILE);
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(update(readJson(file) ?? {}), null, 2));
  fs.renameSync(tmp, file);
}

export function appendFolderExport(outputDir: string, record: OllamaExportRecord): void {
  updateFolderExports(outputDir, (raw) => ({ ...raw, exports: [...readFolderExports(outputDir), record] }));
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Runs from the store by id or by folder, else from the folder alone. With `folders: false` (what the
 * renderer gets through ollama.send) only a database id is looked up: a path is never resolved, so a page
 * cannot point the export at a folder of its choosing.
 */
export function storeRunSource(ctx: CoreContext, opts: { folders: boolean } = { folders: true }): RunAccess {
  const folders = new Map<string, string>();
  return {
    runs: {
      async get(ref) {
        const store = getRunStore(ctx);
        const byDir = opts.folders && isDir(ref) ? path.resolve(ref) : null;
        const known = store.getRun(ref) ?? (byDir ? (store.listRuns().find((r) => path.resolve(r.outputDir) === byDir) ?? null) : null);
        if (known) {
          folders.set(known.id, known.outputDir);
          return { id: known.id, name: known.name, status: known.status, outputDir: known.outputDir, modelId: known.model, trainedAt: known.startedAt ?? known.createdAt ?? null };
        }
        if (!byDir) throw new HoneError('NOT_FOUND', `No run "${ref}".`, 'Pass a run id from the Runs page (or `hone runs`), or the path of a run folder.');
        const run = runFromFolder(byDir);
        folders.set(run.id, run.outputDir);
        return run;
      },
    },
    exports: {
      add(runId, record) {
        const store = getRunStore(ctx);
        if (store.getRun(runId)) store.addExport(runId, record);
        const dir = folders.get(runId);
        // Only a run folder (it has summary.json) gets the history file: a bare model folder stays untouched.
        if (dir && fs.existsSync(path.join(dir, 'summary.json'))) appendFolderExport(dir, record);
      },
    },
  };
}

/** The CLI's: a run id or a run folder. */
export const getRunAccess = perContext((ctx) => storeRunSource(ctx));
/** The renderer's: database ids only. */
export const getRunAccessByIdOnly = perContext((ctx) => storeRunSource(ctx, { folders: false }));
