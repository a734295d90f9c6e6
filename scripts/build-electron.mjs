#!/usr/bin/env node
// Bundles the Electron main process and preload with esbuild into dist-electron/main.cjs and
// dist-electron/preload.cjs. `electron` stays external (the runtime provides it), and so does
// electron-updater (a production dependency that electron-builder packs with its own files).
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist-electron');
mkdirSync(outdir, { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  external: ['electron', 'electron-updater'],
  // conf and its dependencies are ESM that read import.meta.url; the CJS bundle gets a file URL instead.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

await Promise.all([
  build({ ...common, entryPoints: [join(root, 'electron', 'main.ts')], outfile: join(outdir, 'main.cjs') }),
  // The sandboxed preload may require only 'electron': everything else is bundled in.
  build({
    ...common,
    entryPoints: [join(root, 'electron', 'preload.ts')],
    outfile: join(outdir, 'preload.cjs'),
    target: 'chrome130',
  }),
]);
console.log(`built ${join('dist-electron', 'main.cjs')} and ${join('dist-electron', 'preload.cjs')}`);
