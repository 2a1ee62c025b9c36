import crypto from 'node:crypto';
import path from 'node:path';
import type { RunConfig } from '../../shared/types/runs';

/** Sortable, readable, unique: 20250102-153045-a1b2 (also the run folder's name). */
export function newRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const date = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}`;
  const time = `${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `${date}-${time}-${crypto.randomBytes(2).toString('hex')}`;
}

export function defaultRunName(config: RunConfig, id: string): string {
  const model = config.model.includes('/') || config.model.includes('\\') ? path.basename(config.model) : config.model;
  return `${model.replace(/^local:/, '')} ${config.objective.toUpperCase()} ${id.slice(0, 13)}`;
}

export function runDir(dataDir: string, id: string): string {
  return path.join(dataDir, 'runs', id);
}
