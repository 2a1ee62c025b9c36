/**
 * `hone <verb> ...`: every verb is a module in ./commands exporting `run(args, io)` and `summary`.
 * Verbs are found by file name, so adding one needs no edit here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toErrorInfo } from '../shared/errors';
import { UsageError } from './args';
import { EXIT, processIO, type CliIO } from './io';

export interface Command {
  summary: string;
  run(args: string[], io: CliIO): Promise<number>;
}

const COMMANDS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'commands');

function verbs(): string[] {
  return fs
    .readdirSync(COMMANDS_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function load(verb: string): Promise<Command | null> {
  if (!/^[a-z][a-z-]*$/.test(verb) || !verbs().includes(verb)) return null;
  return (await import(`./commands/${verb}.ts`)) as Command;
}

async function usage(io: CliIO): Promise<void> {
  const lines = ['Usage: hone <command> [options]', '', 'Commands:'];
  for (const v of verbs()) {
    const cmd = await load(v);
    lines.push(`  ${v.padEnd(16)} ${cmd?.summary ?? ''}`);
  }
  lines.push('', 'Add --json for machine-readable output, --help to a command for its options.');
  io.out(lines.join('\n'));
}

export async function main(argv: string[], io: CliIO & { closeCore(): Promise<void> } = processIO()): Promise<number> {
  const [verb, ...rest] = argv;
  try {
    if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
      await usage(io);
      return verb ? EXIT.OK : EXIT.USAGE;
    }
    const cmd = await load(verb);
    if (!cmd) {
      io.err(`hone: unknown command "${verb}". Run "hone --help" for the list.`);
      return EXIT.USAGE;
    }
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`hone ${verb}: ${err.message}`);
      return EXIT.USAGE;
    }
    const info = toErrorInfo(err);
    if (rest.includes('--json')) io.out(JSON.stringify({ error: info }));
    io.err(`hone ${verb}: ${info.message}${info.hint ? `\n  ${info.hint}` : ''}`);
    return EXIT.FAIL;
  } finally {
    await io.closeCore();
  }
}
