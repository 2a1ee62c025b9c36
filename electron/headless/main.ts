/** `npm run serve`: the headless server. Options: --port N (or HONE_PORT), --data-dir DIR (or HONE_DATA_DIR). */
import path from 'node:path';
import { createCore } from '../core/app';
import { REPO_ROOT } from '../core/paths';
import { parseArgs, numberFlag, stringFlag, UsageError } from '../cli/args';
import { startHeadless } from './server';

let port: number;
let dataDir: string | undefined;
try {
  const args = parseArgs(process.argv.slice(2), { string: ['port', 'data-dir'] });
  if (args.flags.help) {
    process.stdout.write('Usage: npm run serve -- [--port N] [--data-dir DIR]\n');
    process.exit(0);
  }
  if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  port = numberFlag(args, 'port') ?? (process.env.HONE_PORT ? Number(process.env.HONE_PORT) : 7860);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a port number (0-65535)');
  dataDir = stringFlag(args, 'data-dir');
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`hone serve: ${err.message}\n`);
  process.exit(2);
}

// The server holds training runs: a bug in one request must not orphan them. Each connection already
// catches its own errors (connection.ts); this is the last net, and it says loudly that something slipped.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`hone: BUG: an unhandled rejection (the server keeps running): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}\n`);
});

const core = createCore({ mode: 'headless', paths: dataDir ? { dataDir } : {} });
const server = await startHeadless({
  core,
  staticDir: process.env.HONE_RENDERER_DIR ?? path.join(REPO_ROOT, 'dist', 'renderer'),
  port,
  token: process.env.HONE_TOKEN || undefined,
});
process.stdout.write(`Hone is running headless. Open this URL in a browser on this machine:\n  ${server.url}\n`);
process.stdout.write(`(Reach it from another machine with an SSH tunnel: ssh -L ${server.port}:127.0.0.1:${server.port} <server>)\n`);

let closing = false;
const shutdown = async () => {
  if (closing) return;
  closing = true;
  await server.close();
  await core.close();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
