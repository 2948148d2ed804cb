// Builds every runtime of the project with esbuild: one output per runtime.
//   dist/extension.js  VS Code extension host (cjs, node, `vscode` external)
//   dist/runner.js     child process that loads user files and runs analyses (cjs, node)
//   dist/cli.js        headless `loss-landscape probe` (cjs, node)
//   dist/webview.js    the panel (iife, browser) + dist/webview.css
// Also copies the tfjs-backend-wasm binaries next to the node bundles.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, copyFileSync, readdirSync, rmSync, cpSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const root = join(dirname(new URL(import.meta.url).pathname), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
mkdirSync(join(root, 'dist'), { recursive: true });

const node = {
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'linked',
  minify: production, logLevel: 'warning',
  // esbuild and koffi (the FFI that reaches the system BLAS) are native modules resolved at run
  // time; webgpu (Dawn) is an ES module with a native addon, imported at run time; the vscode
  // module is provided by the host.
  external: ['vscode', 'esbuild', 'esbuild-wasm', 'koffi', '@tensorflow/tfjs-node', 'webgpu'],
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

// Declarations of the `loss-landscape` API for IntelliSense in *.landscape.ts files (served by
// the TypeScript server plugin in ts-plugin/).
function apiDeclarations() {
  const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.api.json')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('API declarations failed');
}

// The TypeScript server plugin must be a real folder under node_modules (VS Code loads it by
// name from the extension's node_modules, and vsce does not follow symlinks): copy it there.
const pluginDir = join(root, 'node_modules', 'loss-landscape-ts-plugin');
rmSync(pluginDir, { recursive: true, force: true });
cpSync(join(root, 'ts-plugin'), pluginDir, { recursive: true });

const t0 = Date.now();
if (watch) {
  apiDeclarations();
  for (const e of entries) await (await esbuild.context({ ...e, absWorkingDir: root })).watch();
  console.log('[build] watching', entries.map((e) => e.outfile).join(', '));
} else {
  const results = await Promise.all(entries.map((e) => esbuild.build({ ...e, absWorkingDir: root, metafile: production })));
  apiDeclarations();
  // production: what went into each bundle (THIRD-PARTY-NOTICES.md lists the packages: scripts/vscode/notices.mjs)
  if (production) {
    mkdirSync(join(root, '.cache'), { recursive: true });
    const inputs = Object.fromEntries(results.map((r, k) => [entries[k].outfile, Object.keys(r.metafile.inputs)]));
    writeFileSync(join(root, '.cache', 'bundle-inputs.json'), JSON.stringify(inputs, null, 1));
  }
  console.log(`[build] ${entries.map((e) => e.outfile).join(', ')} in ${Date.now() - t0} ms`);
}
