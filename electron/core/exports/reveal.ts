/**
 * "Show in folder": the renderer names a file, the desktop shell opens its folder. The renderer is not
 * trusted with the file system, so a path is accepted only when, after resolving symbolic links, it is an
 * existing file or folder inside Hone's data folder or a run folder Hone knows, or exactly a file an export
 * recorded (LM Studio's copy lives in LM Studio's folder). Anything else is refused before the shell sees it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';

function real(p: string): string | null {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return null;
  }
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export interface RevealScope {
  /** Folders whose contents may be shown: the data folder and the run folders. */
  roots: string[];
  /** Files exports wrote, wherever they are. */
  files: string[];
}

/** The path to hand to the shell (resolved), or BAD_REQUEST saying why not. */
export function revealablePath(requested: unknown, scope: RevealScope): string {
  if (typeof requested !== 'string' || !requested || requested.length > 4096 || requested.includes('\0')) {
    throw new HoneError('BAD_REQUEST', 'Show in folder needs the path of a file Hone made.');
  }
  if (!path.isAbsolute(requested)) throw new HoneError('BAD_REQUEST', `Show in folder needs an absolute path, not "${requested}".`);
  const outside = new HoneError('BAD_REQUEST', `Hone shows only its own files: ${requested} is outside Hone's data folder and run folders.`);
  const allowed = (p: string, roots: string[], files: Set<string>) => files.has(p) || roots.some((r) => inside(p, r));
  // Checked as written first (so a path outside is refused whether or not it exists), then with every
  // symbolic link resolved (so a link inside a run folder cannot point the shell elsewhere).
  if (!allowed(path.resolve(requested), scope.roots.map((r) => path.resolve(r)), new Set(scope.files.map((f) => path.resolve(f))))) throw outside;
  const target = real(requested);
  if (!target) throw new HoneError('NOT_FOUND', `${requested} is not there any more.`, 'It was moved or deleted; export again to make it.');
  if (allowed(target, scope.roots.map(real).filter((r): r is string => !!r), new Set(scope.files.map(real).filter((r): r is string => !!r)))) return target;
  throw outside;
}
