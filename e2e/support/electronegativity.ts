/**
 * `npm test -- lint` runs this after eslint: Doyensec's Electronegativity over electron/ with the Electron
 * version we ship. Any finding above informational fails, unless .config/electronegativity.json records why
 * it does not apply (matched by check id and file). Files it cannot parse fail too: an unscanned file is
 * not a clean one. Offline, its Electron-releases lookup is skipped (it says so); the rest runs locally.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_ROOT } from '../../electron/core/paths';

interface Level {
  value: number;
  name: string;
}
interface Issue {
  id: string;
  file: string;
  location: { line: number; column: number };
  severity: Level;
  confidence: Level;
  description: string;
  manualReview?: boolean;
}
interface Accepted {
  check: string;
  file: string;
  reason: string;
}
type Runner = (options: Record<string, unknown>, forCli?: boolean) => Promise<{ errors: { file: string; message: string; tolerable: boolean }[]; issues: Issue[] }>;

const require = createRequire(import.meta.url);

/** The Electron version the app is built with: the one package-lock.json pins. */
export function electronVersion(): string {
  const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
  const v = lock.packages['node_modules/electron']?.version;
  if (!v) throw new Error('package-lock.json does not pin electron');
  return v;
}

export async function runElectronegativity(): Promise<{ ok: boolean; report: string[] }> {
  let run: Runner;
  try {
    run = require('@doyensec/electronegativity/dist/runner.js') as Runner;
  } catch {
    return { ok: false, report: ['@doyensec/electronegativity is not installed: run "npm ci" (it is a devDependency).'] };
  }
  const config = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, '.config', 'electronegativity.json'), 'utf8')) as { accepted: Accepted[] };
  const version = electronVersion();
  const { errors, issues } = await run({
    input: path.join(REPO_ROOT, 'electron'),
    isRelative: true,
    isVerbose: false,
    isSarif: false,
    customScan: [],
    excludeFromScan: [],
    electronVersionOverride: version,
    parserPlugins: [],
  });
  const report = [`Electronegativity on electron/ (Electron ${version}): ${issues.length} finding(s), ${errors.length} parse problem(s)`];
  let ok = true;
  for (const e of errors.filter((x) => !x.tolerable)) {
    ok = false;
    report.push(`  FAIL could not parse ${e.file}: ${e.message}`);
  }
  const used = new Set<Accepted>();
  for (const i of issues) {
    const where = `${i.id} ${i.severity.name}/${i.confidence.name} ${i.file}:${i.location.line}`;
    const accepted = config.accepted.find((a) => a.check === i.id && a.file === i.file);
    if (i.severity.name === 'INFORMATIONAL') report.push(`  info ${where}: ${i.description}`);
    else if (accepted) {
      used.add(accepted);
      report.push(`  accepted ${where} (see .config/electronegativity.json)`);
    } else {
      ok = false;
      report.push(`  FAIL ${where}: ${i.description}`);
    }
  }
  // An accepted finding that no longer appears is stale: drop it so the list stays an honest record.
  for (const a of config.accepted.filter((x) => !used.has(x))) report.push(`  note: the accepted ${a.check} in ${a.file} no longer appears; remove it from .config/electronegativity.json`);
  return { ok, report };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ok, report } = await runElectronegativity();
  process.stdout.write(`${report.join('\n')}\n`);
  process.exit(ok ? 0 : 1);
}
