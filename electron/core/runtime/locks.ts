/**
 * The pinned locks in python-runtime/requirements/. What gets installed is written into the environment
 * as requirements.lock.txt (so a user can see, and re-run, exactly what Hone installed), and its hash
 * is the "is this environment current" check.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';

export type Extra = 'test';

export interface EffectiveLock {
  /** The requirement lines to hand to uv. */
  text: string;
  /** Changes whenever the packages Hone would install change. */
  hash: string;
  /** Number of requirement lines (an upper bound for the resolver's progress). */
  count: number;
}

export function lockPath(pythonRuntimeDir: string, name: string): string {
  return path.join(pythonRuntimeDir, 'requirements', `${name}.txt`);
}

function readLock(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new HoneError('INTERNAL', `The package lock ${file} is missing.`, 'Reinstall Hone: its python-runtime folder is incomplete.');
  }
}

/** Requirement lines without comments; `drop` removes pins that another index will choose (CUDA libraries). */
export function requirementLines(text: string, drop?: RegExp): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').replace(/^#.*$/, '').trim())
    .filter((l) => l && !(drop && drop.test(l)));
}

export function effectiveLock(opts: {
  pythonRuntimeDir: string;
  lock: 'cpu' | 'cuda';
  extras?: Extra[];
  torchBackend: string | null;
  platform?: string;
  arch?: string;
}): EffectiveLock {
  // With torch from the PyTorch index, its CUDA libraries must match that build, not PyPI's cu128 pins.
  const drop = opts.torchBackend ? /^nvidia-/ : undefined;
  const files = [opts.lock, ...(opts.extras ?? [])];
  const lines: string[] = [];
  for (const name of files) {
    for (const l of requirementLines(readLock(lockPath(opts.pythonRuntimeDir, name)), drop)) if (!lines.includes(l)) lines.push(l);
  }
  const header = `# Installed by Hone from requirements/{${files.join(',')}}.txt${opts.torchBackend ? ` with torch from the PyTorch ${opts.torchBackend} index` : ''}`;
  const text = `${header}\n${lines.join('\n')}\n`;
  const hash = crypto
    .createHash('sha256')
    .update(JSON.stringify([text, opts.torchBackend, opts.platform ?? process.platform, opts.arch ?? process.arch]))
    .digest('hex')
    .slice(0, 16);
  return { text, hash, count: lines.length };
}

/** name -> pinned version, for checking a Python the user brought. */
export function pinnedVersions(pythonRuntimeDir: string, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of requirementLines(readLock(lockPath(pythonRuntimeDir, 'cpu')))) {
    const m = /^([A-Za-z0-9_.-]+)==([^\s;]+)/.exec(l);
    if (m && names.includes(m[1].toLowerCase())) out[m[1].toLowerCase()] = m[2];
  }
  return out;
}
