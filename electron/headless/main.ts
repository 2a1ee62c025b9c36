/** `npm run serve`: the headless server. Options: --port N (or HONE_PORT), --data-dir DIR (or HONE_DATA_DIR). */
import path from 'node:path';
import { createCore } from '../core/app';
import { REPO_ROOT } from '../core/paths';
import { parseArgs, numberFlag, stringFlag } from '../cli/args';
import { startHeadless } from './server';

const args = parseArgs(process.argv.slice(2));
const port = numberFlag(args, 'port') ?? (process.env.HONE_PORT ? Number(process.env.HONE_PORT) : 7860);
const dataDir = stringFlag(args, 'data-dir');
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
