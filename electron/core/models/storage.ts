/** For Settings: where models live, how much room they take, and how Hone reaches the Hub. */
import fs from 'node:fs';
import path from 'node:path';
import type { HubStatus, ModelStorage } from '../../shared/types/model-storage';
import type { CoreContext } from '../context';
import { diskUsage } from './hf-cache';
import { networkFor } from './http';
import { listLocal, modelLocations } from './local';
import { hubTokenInUse } from './token';

/** Bytes of the model folders in one location (a cache's datasets-- and spaces-- are not models). */
function modelBytes(kind: string, dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  if (kind !== 'hf-cache') return diskUsage(dir);
  return fs
    .readdirSync(dir)
    .filter((n) => n.startsWith('models--'))
    .reduce((n, name) => n + diskUsage(path.join(dir, name)), 0);
}

export function modelStorage(ctx: CoreContext): ModelStorage {
  const models = listLocal(ctx);
  const locations = modelLocations(ctx).map((loc, i) => ({
    ...loc,
    downloadsGoHere: i === 0,
    exists: fs.existsSync(loc.dir),
    sizeBytes: modelBytes(loc.kind, loc.dir),
    models: models.filter((m) => m.path.startsWith(loc.dir + path.sep)).length,
  }));
  return { locations, models };
}

export async function hubStatus(ctx: CoreContext): Promise<HubStatus> {
  const net = networkFor(ctx);
  const token = await hubTokenInUse(ctx);
  return {
    endpoint: net.endpoint,
    endpointFrom: net.endpointFrom,
    proxy: net.proxy,
    proxyFrom: net.proxy ? net.proxyFrom : ctx.resolveProxy ? 'system' : null,
    noProxy: net.noProxy || null,
    token: token ? { source: token.source, ...(token.path ? { path: token.path } : {}) } : null,
  };
}
