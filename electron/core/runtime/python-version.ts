/**
 * Which Python Hone's environment is built on. The locks are resolved for CPython 3.11
 * (python-runtime/requirements/compile.sh, --python-version 3.11) and some pins need it (filelock 4.3.1
 * requires Python >= 3.11), so a stock Ubuntu 22.04 (Python 3.10) cannot install them. Then uv provides a
 * Python: `uv python install 3.11` (a python-build-standalone build, downloaded from GitHub).
 */
export const MIN_PYTHON: readonly [number, number] = [3, 11];
/** What `uv python find` is asked for: the lock's minimum up to the newest the stack is tested on. */
export const PYTHON_REQUEST = '>=3.11,<3.14';
/** What uv installs when no Python in range is found. */
export const PYTHON_TO_INSTALL = '3.11';

export function isSupportedPython(version: string): boolean {
  const [maj, min] = version.split('.').map(Number);
  return maj > MIN_PYTHON[0] || (maj === MIN_PYTHON[0] && min >= MIN_PYTHON[1]);
}

/** The uv commands that produce a base Python: find one in range, else install one and find it again. */
export function basePythonCommands(request: string = PYTHON_REQUEST): { find: string[]; install: string[] } {
  return { find: ['python', 'find', '--no-project', request], install: ['python', 'install', PYTHON_TO_INSTALL] };
}
