// Bundles the Electron main process and preload (CommonJS, as Electron's sandboxed preload requires).
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['electron', 'better-sqlite3', 'systeminformation'],
  logLevel: 'warning',
};
await build({ ...common, entryPoints: ['electron/main/main.ts'], outfile: 'dist/electron/main.cjs', define: { 'import.meta.url': 'importMetaUrl' }, inject: ['electron/main/import-meta-url.cjs'] });
await build({ ...common, entryPoints: ['electron/main/preload.ts'], outfile: 'dist/electron/preload.cjs' });
