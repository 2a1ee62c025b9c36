/**
 * Checks a Python before Hone trusts it with a run: its version, the training stack's versions against
 * the lock, and (optionally, since importing torch + TRL takes seconds) that the packages really import.
 */
import { execLines } from './exec';
import { pinnedVersions } from './locks';
import { isSupportedPython, MIN_PYTHON } from './python-version';

/** The packages the sidecar imports; versions are compared against the lock. */
export const REQUIRED_PACKAGES = ['torch', 'transformers', 'peft', 'trl', 'accelerate', 'datasets', 'tokenizers', 'safetensors', 'jsonschema'] as const;
const IMPORTED = ['torch', 'transformers', 'peft', 'trl'];

const CHECK_SCRIPT = `
import json, sys, importlib, importlib.metadata as md
names = json.loads(sys.argv[1]); imports = json.loads(sys.argv[2])
out = {"python": "%d.%d.%d" % sys.version_info[:3], "executable": sys.executable, "packages": {}, "errors": {}}
for n in names:
    try: out["packages"][n] = md.version(n)
    except md.PackageNotFoundError: out["packages"][n] = None
for n in imports:
    try: importlib.import_module(n)
    except BaseException as e: out["errors"][n] = ("%s: %s" % (type(e).__name__, e))[:400]
if imports and "torch" not in out["errors"]:
    import torch
    out["cuda"] = bool(torch.cuda.is_available()); out["torch_cuda"] = torch.version.cuda
print("HONE_CHECK " + json.dumps(out))
`;

export interface PythonCheck {
  python: string;
  ok: boolean;
  version: string | null;
  packages: Record<string, string | null>;
  /** Human-readable, one per problem; empty when the Python is fit for Hone. */
  problems: string[];
  /** Problems that stop a run (missing packages, failing imports, old Python) rather than warn. */
  fatal: boolean;
  cuda?: boolean;
}

interface Report {
  python: string;
  packages: Record<string, string | null>;
  errors: Record<string, string>;
  cuda?: boolean;
}

/** torch reports "2.8.0+cu128": the local part names the build, not the version. */
const baseVersion = (v: string) => v.split('+')[0];

export async function checkPython(
  python: string,
  opts: { pythonRuntimeDir: string; imports?: boolean; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<PythonCheck> {
  const fail = (problem: string): PythonCheck => ({ python, ok: false, version: null, packages: {}, problems: [problem], fatal: true });
  let r;
  try {
    const imports = opts.imports ? IMPORTED : [];
    r = await execLines(python, ['-c', CHECK_SCRIPT, JSON.stringify(REQUIRED_PACKAGES), JSON.stringify(imports)], {
      env: { ...(opts.env ?? process.env), PYTHONNOUSERSITE: '1' },
      timeoutMs: opts.timeoutMs ?? 180_000,
    });
  } catch (err) {
    return fail(`${python} cannot be run (${(err as NodeJS.ErrnoException).code ?? String(err)}).`);
  }
  const line = r.stdout.split('\n').find((l) => l.startsWith('HONE_CHECK '));
  if (r.code !== 0 || !line) return fail(`${python} did not run the check: ${r.tail.slice(-3).join(' ').trim() || `exit code ${r.code}`}`);
  const report = JSON.parse(line.slice('HONE_CHECK '.length)) as Report;

  const problems: string[] = [];
  let fatal = false;
  if (!isSupportedPython(report.python)) {
    problems.push(`Python ${report.python} is too old: Hone's pinned packages need ${MIN_PYTHON.join('.')} or newer.`);
    fatal = true;
  }
  const pins = pinnedVersions(opts.pythonRuntimeDir, REQUIRED_PACKAGES);
  for (const name of REQUIRED_PACKAGES) {
    const have = report.packages[name];
    if (!have) {
      problems.push(`${name} is not installed (Hone needs ${pins[name] ?? 'it'}).`);
      fatal = true;
    } else if (pins[name] && baseVersion(have) !== pins[name]) {
      problems.push(`${name} ${have} is installed; Hone is tested with ${pins[name]}.`);
    }
  }
  for (const [name, error] of Object.entries(report.errors)) {
    problems.push(`import ${name} fails: ${error}`);
    fatal = true;
  }
  return { python, ok: problems.length === 0, version: report.python, packages: report.packages, problems, fatal, cuda: report.cuda };
}
