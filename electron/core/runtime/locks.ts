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
  /** An overrides file for uv (--overrides) that keeps `excluded` packages out even as dependencies; null when none. */
  overrides: string | null;
  /** Packages this flavour leaves out (see excludedFor). */
  excluded: string[];
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

/**
 * Packages a flavour must not install. PyPI's xformers 0.0.32.post2 is built for torch 2.8 with CUDA 12.8, the
 * build PyPI's Linux torch is; next to torch from the PyTorch index for another CUDA (cu126, for drivers
 * 525-569) it would mix two CUDA runtimes in one process. Unsloth does not need it: without xformers it uses
 * PyTorch's scaled_dot_product_attention (unsloth 2025.11.4, models/_utils.py and llama.py), whose
 * flash/memory-efficient kernels are built for the installed torch. uv's --torch-backend routes only torch's
 * own packages (torch, torchvision, torchao, triton...) to the PyTorch index, never xformers.
 */
export function excludedFor(torchBackend: string | null): string[] {
  return torchBackend !== null && torchBackend !== 'cu128' ? ['xformers'] : [];
}

const packageName = (line: string) => /^([A-Za-z0-9_.-]+)/.exec(line)?.[1].toLowerCase().replace(/_/g, '-') ?? '';

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
  const excluded = opts.lock === 'cuda' ? excludedFor(opts.torchBackend) : [];
  const files = [opts.lock, ...(opts.extras ?? [])];
  const lines: string[] = [];
  for (const name of files) {
    for (const l of requirementLines(readLock(lockPath(opts.pythonRuntimeDir, name)), drop)) {
      if (!lines.includes(l) && !excluded.includes(packageName(l))) lines.push(l);
    }
  }
  // A marker that never holds: uv then drops the package wherever it is required (unsloth lists xformers).
  const overrides = excluded.length ? `${excluded.map((n) => `${n} ; sys_platform == "never"`).join('\n')}\n` : null;
  const header = `# Installed by Hone from requirements/{${files.join(',')}}.txt${opts.torchBackend ? ` with torch from the PyTorch ${opts.torchBackend} index` : ''}`;
  const text = `${header}\n${lines.join('\n')}\n`;
  const hash = crypto
    .createHash('sha256')
    .update(JSON.stringify([text, opts.torchBackend, opts.platform ?? process.platform, opts.arch ?? process.arch, ...(overrides ? [overrides] : [])]))
    .digest('hex')
    .slice(0, 16);
  return { text, hash, count: lines.length, overrides, excluded };
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
