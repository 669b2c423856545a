// Lint rules: type-aware TypeScript rules, with floating promises forbidden everywhere; the direction of the
// dependencies between the folders of src/ (and from src/ to the checkout tools); the size of files and functions.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** The features, lowest first: a feature may import only the features to its left. */
const FEATURES = ['catalog', 'seasons', 'weather', 'members', 'results', 'accounts', 'planner'];

/** Each layer of src/ and the layers it may import (besides itself). */
const LAYERS = [
  ['core', []],
  ['iracing', ['core']],
  ['scheduler', ['core', 'iracing']],
  ...FEATURES.map((feature, i) => [feature, ['core', 'iracing', 'scheduler', ...FEATURES.slice(0, i)]]),
];

// The composition files at the top of src/ (app.module.ts, bootstrap.ts, main.ts, entities.ts, data-source.ts,
// emit-schema.ts …) and src/cli/ may import anything in src/; nothing in src/ imports the checkout tools.
const BOUNDARIES = [
  {
    target: './src',
    from: ['./offline', './bench'],
    message:
      'src/ is the server (the production build): it must not import offline/ or bench/ (pass what it needs ' +
      'through a seam, as offline/main.ts passes the local defaults to runMain).',
  },
  {
    target: ['./src', './offline', './bench'],
    from: './test',
    message: 'Only tests import test/.',
  },
  {
    target: './offline',
    from: './bench',
    message: 'offline/ is built without bench/ (npm run build): it must not import it.',
  },
  ...LAYERS.map(([layer, allowed]) => ({
    target: `./src/${layer}`,
    from: './src',
    except: [layer, ...allowed].map((l) => `./${l}`),
    message:
      layer === 'core'
        ? 'src/core is the bottom layer: it imports nothing else from src/ (no feature, iracing, scheduler or cli).'
        : `src/${layer} may import only src/{${allowed.join(',')}}` +
          (FEATURES.includes(layer) ? ` (features: ${FEATURES.join(' < ')}).` : '.'),
  })),
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.data/**',
      'coverage/**',
      '.tools/**',
      'eslint.config.js',
      'jest.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // Imports as written (`./x.js`) resolve to the TypeScript sources.
    files: ['src/**/*.ts', 'offline/**/*.ts', 'bench/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.js', '.json'],
          extensionAlias: { '.js': ['.ts', '.js'] },
        }),
      ],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: BOUNDARIES }],
    },
  },
  {
    // Small files and functions in the server; migrations are an append-only record, tests read as stories.
    files: ['src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'src/core/database/migrations/**'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['bench/**', 'src/cli/**', 'offline/cli.ts', 'offline/demo.ts', 'offline/demo-main.ts', 'test/**'],
    rules: { 'no-console': 'off' },
  },
);
