/** The services an export needs, from a core context (the handlers and the CLI build them the same way). */
import type { FileExportProgress } from '../../shared/types/exports';
import type { CoreContext } from '../context';
import { connect } from '../ollama/client';
import { getDigestCache } from '../ollama/handlers';
import { getRunAccess } from '../ollama/run-source';
import type { GgufDeps } from './gguf-export';
import { exportRecords } from './records';

export function exportDeps(ctx: CoreContext, emit: (p: FileExportProgress) => void): GgufDeps {
  const { baseUrl, client } = connect(ctx);
  return { baseUrl, client, access: getRunAccess(ctx), records: exportRecords(ctx), resourcesDir: ctx.paths.resourcesDir, digests: getDigestCache(ctx), env: ctx.env, emit };
}
