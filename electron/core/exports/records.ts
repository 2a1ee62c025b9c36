/**
 * Which files the exports wrote for a run, kept where the Ollama exports are kept: in the run folder's
 * exports.json (`files`, so a copied folder still knows them) and in the run store's artifacts table (kind
 * `export:<target>`, so the run page lists them; no new table needed).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ExportTarget, FileExportRecord } from '../../shared/types/exports';
import type { OllamaExportRecord } from '../../shared/types/runs';
import type { CoreContext } from '../context';
import { readFolderExports, updateFolderExports, type ExportableRun } from '../ollama/run-source';
import { getRunStore } from '../store';

const KIND_PREFIX = 'export:';

function readFiles(outputDir: string): FileExportRecord[] {
  try {
    const raw = JSON.parse(fs.readFileSync(path.join(outputDir, 'exports.json'), 'utf8')) as { files?: unknown };
    return Array.isArray(raw.files) ? (raw.files as FileExportRecord[]).filter((f) => f && typeof f.path === 'string' && typeof f.target === 'string') : [];
  } catch {
    return [];
  }
}

function sizeOf(p: string): number | null {
  try {
    const st = fs.statSync(p);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

export interface ExportRecords {
  /** Files written for the run that are still there, oldest first; one entry per path. */
  files(run: ExportableRun, target?: ExportTarget): FileExportRecord[];
  add(run: ExportableRun, rec: FileExportRecord): void;
  /** The run's Ollama exports (store and folder). */
  ollama(run: ExportableRun): OllamaExportRecord[];
  /** Every path the run store says an export wrote (LM Studio's copies lie outside Hone's folders). */
  knownPaths(): string[];
  runFolders(): string[];
}

export function exportRecords(ctx: CoreContext): ExportRecords {
  const store = () => getRunStore(ctx);
  const inStore = (id: string) => !!store().getRun(id);
  return {
    files(run, target) {
      const byPath = new Map<string, FileExportRecord>();
      for (const f of readFiles(run.outputDir)) byPath.set(f.path, f);
      if (inStore(run.id)) {
        for (const a of store().artifacts(run.id)) {
          if (!a.kind.startsWith(KIND_PREFIX) || byPath.has(a.path)) continue;
          byPath.set(a.path, { target: a.kind.slice(KIND_PREFIX.length) as ExportTarget, path: a.path, createdAt: a.createdAt, bytes: 0 });
        }
      }
      const out: FileExportRecord[] = [];
      for (const f of byPath.values()) {
        const size = sizeOf(f.path);
        if (size === null || (target && f.target !== target)) continue;
        out.push({ ...f, bytes: size });
      }
      return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    add(run, rec) {
      if (inStore(run.id)) store().addArtifact(run.id, `${KIND_PREFIX}${rec.target}`, rec.path);
      // Only a run folder (it has summary.json) gets the history file: a bare model folder stays untouched.
      if (fs.existsSync(path.join(run.outputDir, 'summary.json'))) {
        updateFolderExports(run.outputDir, (raw) => ({ ...raw, files: [...readFiles(run.outputDir).filter((f) => f.path !== rec.path), rec] }));
      }
    },
    ollama(run) {
      const fromStore = inStore(run.id) ? store().listExports(run.id) : [];
      const seen = new Set(fromStore.map((r) => `${r.name}|${r.createdAt}`));
      return [...fromStore, ...readFolderExports(run.outputDir).filter((r) => !seen.has(`${r.name}|${r.createdAt}`))].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    knownPaths() {
      const paths: string[] = [];
      for (const r of store().listRuns()) {
        for (const a of store().artifacts(r.id)) if (a.kind.startsWith(KIND_PREFIX)) paths.push(a.path);
      }
      return paths;
    },
    runFolders() {
      return store().listRuns().map((r) => r.outputDir);
    },
  };
}
