/**
 * The one argv parser of every `hone` command (and `npm run serve`): node:util's parseArgs in strict mode, so
 * an unknown option, a missing value or a value given to a switch is a usage error (exit 2) everywhere,
 * never silently ignored. Each command declares its options once, in the spec it passes here.
 */
import { parseArgs as parseNodeArgs, type ParseArgsConfig } from 'node:util';

export interface ParsedArgs {
  positional: string[];
  flags: Record<string, string | true>;
}

export interface OptionSpec {
  /** Options that take a value: --name value or --name=value. */
  string?: readonly string[];
  /** Switches: --name (--help/-h is always accepted). */
  boolean?: readonly string[];
}

export class UsageError extends Error {}

/** Node's messages name the option and then explain `--`; keep the first part and say where the help is. */
function usageMessage(err: NodeJS.ErrnoException): string {
  const option = err.message.match(/'(-[^' ]*)/)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? err.message}. See --help for the options.`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(err.message)) return `${option} needs a value.`;
      if (/does not take an argument/.test(err.message)) return `${option} is a switch: it takes no value.`;
      if (/ambiguous/.test(err.message)) return `${option} needs a value; to give one starting with "-", write ${option}=<value>.`;
      return err.message;
    default:
      return err.message;
  }
}

export function parseArgs(argv: string[], spec: OptionSpec = {}): ParsedArgs {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const name of spec.string ?? []) options[name] = { type: 'string' };
  for (const name of spec.boolean ?? []) options[name] = { type: 'boolean' };
  let parsed;
  try {
    parsed = parseNodeArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(usageMessage(err as NodeJS.ErrnoException));
  }
  const flags: Record<string, string | true> = {};
  for (const [k, v] of Object.entries(parsed.values)) {
    if (v === true || typeof v === 'string') flags[k] = v;
  }
  return { positional: parsed.positionals, flags };
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

export function numberFlag(args: ParsedArgs, name: string): number | undefined {
  const v = stringFlag(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${v}"`);
  return n;
}

/** For commands that take no positional arguments. */
export function noPositionals(args: ParsedArgs, verb: string): void {
  if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}". See "hone ${verb} --help".`);
}
