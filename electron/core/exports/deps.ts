/** The services an export needs, from a core context (the handlers and the CLI build them the same way). */
import type { FileExportProgress } from '../../shared/types/exports';
import type { CoreContext } from '../context';
import { connect } from '../ollama/client';
import { getDigestCache } from '../ollama/handlers';
import { getRunAccess } from '../ollama/run-source';
import { getRunStore } from '../store';
import { exportRecords } from './records';
import type { ExportDeps } from './service';

export function exportDeps(ctx: CoreContext, emit: (p: FileExportProgress) => void): ExportDeps {
  const { baseUrl, client } = connect(ctx);
  return {
    baseUrl,
    client,
    access: getRunAccess(ctx),
    records: exportRecords(ctx),
    resourcesDir: ctx.paths.resourcesDir,
    digests: getDigestCache(ctx),
    env: ctx.env,
    emit,
    runConfig: (run) => getRunStore(ctx).config(run.id),
  };
}
