import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import path from 'node:path';

const root = import.meta.dirname;

/**
 * Which of our folders each runtime folder may import (besides itself and libraries), and why.
 * Like Signal Desktop's file-suffix rule, the layer of a file is where it lives and the layer of an
 * import is where the imported file lives (the path is resolved, so `../app` inside renderer/ is
 * renderer's own folder, not a top-level one). Folders not listed here (scripts/, config files) are
 * not checked.
 */
const LAYERS = {
  shared: { may: [], why: 'it runs unchanged in Node, the browser and Electron' },
  renderer: {
    may: ['shared'],
    electron: false,
    why: 'the page reaches the host only through the typed API of shared/contracts/ipc.ts',
  },
  host: {
    may: ['shared'],
    electron: false,
    why: 'the services run in plain Node (the browser host) as well as in Electron; the server is reached over HTTP',
  },
  server: { may: ['shared'], electron: false, why: 'the org server runs on its own' },
  electron: { may: ['host', 'shared'], why: 'the main process is thin wiring of the host/ services' },
  cli: { may: ['shared'], electron: false, why: 'the command line is the pure domain on stdin/stdout' },
  // The benchmarks drive the real server and the test harnesses; only Electron cannot run here.
  bench: {
    may: ['shared', 'server', 'host', 'renderer', 'test'],
    electron: false,
    why: 'benchmarks run without Electron',
  },
  // Tests reach every part they test; electron/ only through its pure modules (policy, ipc).
  test: {
    may: ['shared', 'server', 'host', 'renderer', 'electron', 'cli', 'bench'],
    why: 'tests may use any part',
  },
};

function layerOf(file) {
  const [top] = path.relative(root, file).split(path.sep);
  return Object.hasOwn(LAYERS, top) ? top : null;
}

const layersRule = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    const layer = layerOf(context.filename);
    if (layer === null) return {};
    const { may, why, electron } = LAYERS[layer];
    const allowed = [layer, ...may];
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      if (electron === false && (source === 'electron' || source.startsWith('electron/'))) {
        context.report({
          node,
          message: `Invalid import for layer ${layer}: the electron package (${why}).`,
        });
        return;
      }
      if (!source.startsWith('.')) return;
      const target = layerOf(path.resolve(path.dirname(context.filename), source));
      if (target === null || allowed.includes(target)) return;
      const reach = may.length === 0 ? 'nothing of ours' : may.map((folder) => `${folder}/`).join(', ');
      context.report({
        node,
        message: `Invalid import for layer ${layer}: ${target}/ (${layer}/ may import ${reach}; ${why}).`,
      });
    };
    const fromSource = (node) => check(node, node.source?.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source.value : undefined),
    };
  },
};

export default tseslint.config(
  {
    ignores: ['node_modules', 'dist', 'dist-electron', 'release', 'data', 'coverage', 'test-results', '.lab'],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    // Every dependency arrow between our folders points the way LAYERS says.
    files: ['**/*.{ts,tsx,js,mjs}'],
    plugins: { blockline: { rules: { layers: layersRule } } },
    rules: { 'blockline/layers': 'error' },
  },
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    // shared/ is the pure domain: it runs unchanged in Node, the browser and Electron,
    // and depends on nothing of ours.
    files: ['shared/**/*.ts'],
    languageOptions: { globals: { ...globals.es2023 } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'shared/ must not import Node built-ins.' },
            { group: ['electron', 'electron/*'], message: 'shared/ must not import Electron.' },
            // Imports of our other folders: the blockline/layers rule above.
            {
              group: [
                'fs',
                'path',
                'os',
                'crypto',
                'http',
                'https',
                'net',
                'child_process',
                'events',
                'stream',
                'url',
                'util',
                'buffer',
              ],
              message: 'shared/ must not import Node built-ins.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'window', message: 'shared/ must not use DOM globals.' },
        { name: 'document', message: 'shared/ must not use DOM globals.' },
        { name: 'process', message: 'shared/ must not use Node globals.' },
        { name: 'Buffer', message: 'shared/ must not use Node globals.' },
        { name: 'require', message: 'shared/ is ES modules only.' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
