/**
 * The two things the export needs from the runs domain, as a small interface: find a run (its folder, base
 * model, status) and record an export on it. `folderRunSource` works from the run folder alone (summary.json),
 * which is also how the CLI accepts a folder path; the runs store plugs in through `setRunSource`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { OllamaExportRecord, RunStatus } from '../../shared/types/runs';
import { perContext, type CoreContext } from '../context';

export interface ExportableRun {
  id: string;
  name: string;
  /** null when only a folder is known and it says nothing about its status. */
  status: RunStatus | null;
  outputDir: string;
  /** Catalogue id or local model path the run fine-tuned. */
  modelId: string | null;
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

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** A run described by its folder: summary.json's fields where present, the folder name otherwise. */
export function runFromFolder(dir: string): ExportableRun {
  const outputDir = path.resolve(dir);
  const summary = readJson(path.join(outputDir, 'summary.json')) ?? {};
  const config = (summary.config as Record<string, unknown> | undefined) ?? {};
  return {
    id: str(summary.runId) ?? str(summary.id) ?? path.basename(outputDir),
    name: str(summary.name) ?? path.basename(outputDir),
    status: (str(summary.status) as RunStatus | null) ?? null,
    outputDir,
    modelId: str(summary.model) ?? str(config.model) ?? null,
  };
}

/** Exports are also kept beside the model files, so a run folder copied elsewhere still knows its history. */
export function readFolderExports(outputDir: string): OllamaExportRecord[] {
  const raw = readJson(path.join(outputDir, EXPORTS_FILE));
  return Array.isArray(raw?.exports) ? (raw.exports as OllamaExportRecord[]) : [];
}

export function appendFolderExport(outputDir: string, record: OllamaExportRecord): void {
  const file = path.join(outputDir, EXPORTS_FILE);
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ exports: [...readFolderExports(outputDir), record] }, null, 2));
  fs.renameSync(tmp, file);
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Runs found by folder: a path, or <dataDir>/runs/<id>. */
export function folderRunSource(ctx: CoreContext): RunAccess {
  const dirs = new Map<string, string>();
  return {
    runs: {
      async get(ref) {
        const dir = isDir(ref) ? ref : path.join(ctx.paths.dataDir, 'runs', ref);
        if (!isDir(dir)) throw new HoneError('NOT_FOUND', `No run "${ref}".`, 'Pass a run id from `hone runs` or the path of a run folder.');
        const run = runFromFolder(dir);
        dirs.set(run.id, run.outputDir);
        return run;
      },
    },
    exports: {
      add(runId, record) {
        const dir = dirs.get(runId);
        if (dir) appendFolderExport(dir, record);
      },
    },
  };
}

const overrides = new WeakMap<CoreContext, RunAccess>();
const fallback = perContext(folderRunSource);

/** The runs domain (or a test) installs its store here; until then runs are read from their folders. */
export function setRunSource(ctx: CoreContext, access: RunAccess): void {
  overrides.set(ctx, access);
}

export function getRunAccess(ctx: CoreContext): RunAccess {
  return overrides.get(ctx) ?? fallback(ctx);
}
