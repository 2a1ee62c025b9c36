import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// base './' so the same build loads from file:// (Electron) and from the headless server. No source maps:
// the shipped renderer does not publish its sources (security.test.ts checks the build).
export default defineConfig({
  root: __dirname,
  base: './',
  plugins: [react()],
  build: { outDir: '../dist/renderer', emptyOutDir: true, sourcemap: false },
});
