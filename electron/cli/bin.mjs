#!/usr/bin/env node
// `npx hone ...`: runs the TypeScript CLI through tsx's loader (a dependency), so no build step is needed.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
