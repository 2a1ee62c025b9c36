// Lint rules that keep the architecture honest: the core never imports electron, the renderer and the
// shared contract never import Node, and only the preload touches ipcRenderer.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'child_process', 'net', 'http', 'https', 'crypto', 'stream', 'url', 'util', 'worker_threads', 'events', 'readline'];
const nodePatterns = ['node:*', ...nodeBuiltins, ...nodeBuiltins.map((m) => `${m}/*`)];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'python-runtime/**', '**/*.cjs', 'e2e/screenshots/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['electron/core/**/*.ts', 'electron/cli/**/*.ts', 'electron/headless/**/*.ts', 'electron/transport/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Core modules are plain Node: put Electron code in electron/main.' }], patterns: [{ group: ['electron/*', '**/main/*'], message: 'Core modules never import the Electron shell.' }] }],
    },
  },
  {
    files: ['electron/shared/**/*.ts', 'renderer/src/**/*.ts', 'renderer/src/**/*.tsx'],
    // Unit tests of renderer code run under Node's test runner, not in the page.
    ignores: ['electron/shared/**/*.test.ts', 'renderer/src/**/*.test.ts', 'renderer/src/**/*.test.tsx'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'The renderer talks to the core only through the bridge.' }], patterns: [{ group: nodePatterns, message: 'The renderer and the contract run in a browser: no Node modules.' }, { group: ['**/core/*', '**/core/**'], message: 'The renderer imports only the contract (electron/shared).' }] }],
    },
  },
  {
    files: ['renderer/src/**/*.ts', 'renderer/src/**/*.tsx'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', WebSocket: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', requestAnimationFrame: 'readonly', performance: 'readonly' } },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', __dirname: 'readonly', require: 'readonly' } },
  },
);
