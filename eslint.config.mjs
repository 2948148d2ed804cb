// ESLint (flat config): typescript-eslint's recommended rules, no import cycles, and the layer
// rules of CONTRIBUTING.md: import restrictions per folder (vscode only in src/host; the webview
// only the protocol and src/shared; src/api and src/backends no engine; the protocol nothing of
// ours), 500 lines at most per source file, process.env only in the switchboard and the entry
// points, no tf.getBackend() in the engine.
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

const VSCODE = { name: 'vscode', message: 'only src/host (and extension.ts) may import vscode' };
/** no-restricted-imports for `files`: never vscode, and `patterns`. */
const restrictImports = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { paths: [VSCODE], patterns }] } });
const PROCESS_ENV = { object: 'process', property: 'env', message: 'environment variables are read in src/shared/switchboard.ts (setting, childEnv) or an entry point' };

export default tseslint.config(
  { ignores: ['test/fixtures/syntax-error.landscape.ts', 'dist/**', 'node_modules/**', '.cache/**', 'out/**', 'bench/.work/**', 'test/e2e/shots/**', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json'] })],
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  // No source file over 500 lines (CONTRIBUTING.md).
  {
    files: ['src/**/*.ts', 'webview/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 500 }] },
  },
  // Import rules per layer (one block per folder: a later block's no-restricted-imports replaces an earlier one's).
  restrictImports(['src/shared/**/*.ts'], [{ group: ['../*', '!../protocol', '!../protocol/*'], message: 'src/shared imports only the protocol (and itself): every layer, the webview included, imports it' }]),
  restrictImports(['src/runner/**/*.ts', 'src/cli/**/*.ts', 'src/client/**/*.ts', 'src/bundle/**/*.ts', 'src/shards/**/*.ts', 'src/util/**/*.ts'], []),
  restrictImports(['src/engine/**/*.ts'], [{ group: ['**/backends/wasm/**'], message: 'the engine does not read backend internals: use the src/backends facade (tensorView, readFlatDirect, backendCapabilities)' }]),
  restrictImports(['src/api/**/*.ts'], [{ group: ['**/engine', '**/engine/**'], message: 'src/api (what user files import) imports no engine: shared helpers are in src/shared' }]),
  restrictImports(['src/backends/**/*.ts'], [{ group: ['**/engine', '**/engine/**'], message: 'src/backends (where the arithmetic runs) imports no engine: the engine calls the backends' }]),
  {
    files: ['src/protocol/**/*.ts'],
    ignores: ['src/protocol/index.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['../*'], message: 'the protocol imports nothing but itself: everyone imports it' }] }] },
  },
  {
    files: ['webview/**/*.ts'],
    ignores: ['webview/report.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['node:*', 'vscode'], message: 'the webview runs in a browser: no Node, no vscode' },
        { group: ['../src/*', '!../src/protocol', '!../src/shared'], message: 'the webview imports only the protocol (types) and src/shared' },
      ] }],
    },
  },
  // process.env only in the switchboard (src/shared/switchboard.ts) and the entry points.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/shared/switchboard.ts', 'src/extension.ts', 'src/runner/main.ts', 'src/cli/main.ts', 'src/cli/shards.ts'],
    rules: { 'no-restricted-properties': ['error', PROCESS_ENV] },
  },
  // The engine asks what the backend can do (backendCapabilities), never which backend it is.
  {
    files: ['src/engine/**/*.ts'],
    rules: { 'no-restricted-properties': ['error', PROCESS_ENV, { object: 'tf', property: 'getBackend', message: 'the engine reads backendCapabilities() (src/backends), not the backend\'s name' }] },
  },
  {
    files: ['**/*.mjs', '**/*.js', 'test/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', __dirname: 'readonly', require: 'readonly', window: 'readonly', document: 'readonly' } },
  },
);
