// ESLint (flat config): typescript-eslint's recommended rules, no import cycles, and the layer
// rules of DESIGN.md as import restrictions (the engine never imports vscode, the webview never
// Node, the protocol nothing of ours).
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

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
  {
    files: ['src/engine/**/*.ts', 'src/backends/**/*.ts', 'src/api/**/*.ts', 'src/runner/**/*.ts', 'src/cli/**/*.ts', 'src/shared/**/*.ts', 'src/client/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'only src/host (and extension.ts) may import vscode' }] }] },
  },
  {
    files: ['src/protocol/**/*.ts'],
    ignores: ['src/protocol/index.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['../*'], message: 'the protocol imports nothing but itself: everyone imports it' }] }] },
  },
  {
    files: ['webview/**/*.ts'],
    ignores: ['webview/report.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'vscode', '**/engine/**', '**/runner/**', '**/host/**'], message: 'the webview runs in a browser: protocol types only' }] }] },
  },
  {
    files: ['**/*.mjs', '**/*.js', 'test/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', __dirname: 'readonly', require: 'readonly', window: 'readonly', document: 'readonly' } },
  },
);
