// esbuild inject: gives CommonJS bundles an import.meta.url (the core uses it to find the repo root).
export const importMetaUrl = require('url').pathToFileURL(__filename).href;
