/**
 * exports.* channels: the Export step's targets, running one (progress on 'exports.progress'), and "Show in
 * folder". The shell's folder opener is injected by the Electron main process (ctx.showItemInFolder); in
 * headless mode there is no desktop to open it on, so the answer says so and the page shows the path.
 */
import type { RequestHandlers } from '../../shared/contract';
import { HoneError } from '../../shared/errors';
import { EXPORT_TARGETS, GGUF_QUANTS, type ExportTarget, type FileExportResult } from '../../shared/types/exports';
import type { CoreContext } from '../context';
import { getRunStore } from '../store';
import { exportDeps } from './deps';
import { exportRecords } from './records';
import { revealablePath } from './reveal';
import { exportTargets, runExport } from './service';

type ExportChannels = 'exports.targets' | 'exports.start' | 'exports.showInFolder';

/**
 * The page names runs by id only. The core also accepts a run folder (the CLI's `hone export <folder>`), but
 * from the page that would let it have files written into any folder it names.
 */
function knownRun(ctx: CoreContext, runId: unknown): string {
  if (typeof runId !== 'string' || !getRunStore(ctx).getRun(runId)) throw new HoneError('NOT_FOUND', `No run "${String(runId)}".`, 'Pick a run from the Runs page.');
  return runId;
}

export function createExportHandlers(ctx: CoreContext): Pick<RequestHandlers, ExportChannels> {
  const deps = () => exportDeps(ctx, (e) => ctx.bus.emit('exports.progress', e));
  return {
    'exports.targets': async (p) => exportTargets(knownRun(ctx, p?.runId), deps()),
    'exports.start': async (p) => {
      knownRun(ctx, p?.runId);
      if (!EXPORT_TARGETS.includes(p.target as ExportTarget)) throw new HoneError('BAD_REQUEST', `Unknown export target "${String(p.target)}".`, `Choose one of ${EXPORT_TARGETS.join(', ')}.`);
      if (p.quantize !== undefined && !GGUF_QUANTS.includes(p.quantize)) throw new HoneError('BAD_REQUEST', `Unknown quantisation "${String(p.quantize)}".`, `Choose one of ${GGUF_QUANTS.join(', ')}.`);
      const r = await runExport({ run: p.runId, target: p.target, quantize: p.quantize, card: p.card }, deps());
      const result: FileExportResult = { exportId: r.exportId, runId: r.runId, target: r.target, path: r.path, createdAt: r.createdAt, bytes: r.bytes, ...(r.quantize ? { quantize: r.quantize } : {}), ...(r.detail ? { detail: r.detail } : {}) };
      return result;
    },
    'exports.showInFolder': async (p) => {
      const records = exportRecords(ctx);
      const target = revealablePath(p?.path, { roots: [ctx.paths.dataDir, ...records.runFolders()], files: records.knownPaths() });
      if (!ctx.showItemInFolder) return { shown: false, path: target };
      ctx.showItemInFolder(target);
      return { shown: true, path: target };
    },
  };
}
