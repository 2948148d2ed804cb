// Builds every runtime of the project with esbuild: one output per runtime.
//   dist/extension.js  VS Code extension host (cjs, node, `vscode` external)
//   dist/runner.js     child process that loads user files and runs analyses (cjs, node)
//   dist/cli.js        headless `loss-landscape probe` (cjs, node)
//   dist/webview.js    the panel (iife, browser) + dist/webview.css
// Also copies the tfjs-backend-wasm binaries next to the node bundles.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, copyFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = join(dirname(new URL(import.meta.url).pathname), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
mkdirSync(join(root, 'dist'), { recursive: true });

const node = {
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'linked',
  minify: production, logLevel: 'warning',
  // esbuild is a native binary resolved at run time; the vscode module is provided by the host.
  external: ['vscode', 'esbuild', '@tensorflow/tfjs-node'],
};
const entries = [
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['src/runner/main.ts'], outfile: 'dist/runner.js' },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js' },
  {
    bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: production ? false : 'inline',
    minify: production, logLevel: 'warning', entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js',
    loader: { '.css': 'css' },
  },
].filter((e) => existsSync(join(root, e.entryPoints[0])));

const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(root, 'dist', f));

const t0 = Date.now();
if (watch) {
  for (const e of entries) await (await esbuild.context({ ...e, absWorkingDir: root })).watch();
  console.log('[build] watching', entries.map((e) => e.outfile).join(', '));
} else {
  await Promise.all(entries.map((e) => esbuild.build({ ...e, absWorkingDir: root })));
  console.log(`[build] ${entries.map((e) => e.outfile).join(', ')} in ${Date.now() - t0} ms`);
}
