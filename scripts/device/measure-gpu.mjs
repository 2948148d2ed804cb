#!/usr/bin/env node
/**
 * The one measurement run of `npm run bench:gpu`, on the GPU machine (after
 * `source .device/unpack.sh`): W1–W6 with our engine on WebGPU and the same workloads in
 * PyTorch CUDA, on the same card in the same run, from the same weights and data.
 *
 *   node scripts/device/measure-gpu.mjs [--only W1,W3] [--budget SECONDS] [--dry-run]
 *
 *  1. `dist/bench-ours.js gen` (bench/ours.ts bundled) writes the data, θ₀, θ_T and the
 *     directions once (θ_T trained here, on WebGPU); PyTorch reads the same raw float32 files;
 *  2. peaks: a 4096² fp32 matmul on each side;
 *  3. each workload, ours then PyTorch, each in a fresh process that runs it once untimed
 *     (shader compilation, CUDA context) and then once timed (`--warmup`); then ours once more
 *     under tf.profile (`--count`: kernels dispatched, GPU kernel time) when the budget allows;
 *  4. writes results-gpu.json ({"W1": {ours_s, pytorch_s, ratio, max_rel_diff}, …, "device"})
 *     and results-gpu.md to $OUT (where the device tool collects files) and to bench/.
 * A workload that fails or would pass the budget (default 420 s in all) is recorded with
 * its reason and the run goes on. --dry-run: tiny sizes on whatever adapter WebGPU has here
 * (llvmpipe) and PyTorch on the CPU when it is installed: checks the pipeline, measures nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FULL, maxRelDiff } from '../../bench/workloads.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const val = (f) => { const i = argv.indexOf(f); return i >= 0 ? argv[i + 1] : undefined; };
const DRY = argv.includes('--dry-run');
const BUDGET_S = Number(val('--budget') ?? (DRY ? 900 : 420));
const ONLY = val('--only')?.split(',').map((s) => s.trim().toUpperCase());
const DATA = path.join(ROOT, 'bench', '.data-gpu');
const OUT_DIRS = [process.env.OUT, path.join(ROOT, 'bench')].filter(Boolean);
const t0 = Date.now();
const left = () => BUDGET_S - (Date.now() - t0) / 1000;

/** Dry-run sizes: enough to exercise every path on a software rasterizer in a few minutes. */
const DRY_SIZES = {
  W1: { n: 200, points: 3 }, W2: { n: 100, grid: 2 }, W3: { n: 256, batch: 128 },
  W4a: { n: 200, points: 3 }, W4b: { n: 100, grid: 2 }, W5: { n: 50, grid: 2 }, W6: { n: 100, k: 1 },
};
const WORKLOADS = FULL.filter((w) => !ONLY || ONLY.includes(w.id) || ONLY.includes(w.id.replace(/[ab]$/, '')))
  .map((w) => (DRY ? { ...w, ...DRY_SIZES[w.id] } : w));

function run(cmd, args, timeoutS) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(1, timeoutS) * 1000);
    child.on('error', (e) => { clearTimeout(timer); resolve({ error: e.message }); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const tail = err.split('\n').filter((l) => l && !l.startsWith('Warning: max')).slice(-6).join(' | ');
      if (code !== 0) return resolve({ error: `${path.basename(cmd)} ${args[0]} ${args[1] ?? ''}: exit ${code ?? signal}${signal === 'SIGKILL' ? ' (timed out)' : ''}: ${tail}` });
      try { resolve(JSON.parse(out.trim().split('\n').pop())); } catch { resolve({ error: `no JSON from ${cmd} ${args[0]}: ${out.slice(-300)}` }); }
    });
  });
}
const ours = (args, s) => run(process.execPath, [path.join(ROOT, 'dist', 'bench-ours.js'), ...args, '--backend', 'webgpu'], s);
const hasCuda = spawnSync('python3', ['-c', 'import torch,sys; sys.exit(0 if torch.cuda.is_available() else 3)'], { stdio: 'ignore' }).status;
const TORCH = hasCuda === 0 ? 'cuda' : hasCuda === 3 ? 'cpu' : null; // null: no torch at all
const torch = (args, s) => (TORCH
  ? run('python3', [path.join(ROOT, 'bench', 'torch_probe.py'), ...args, '--device', TORCH, '--threads', '1'], s)
  : Promise.resolve({ error: 'python3 cannot import torch here' }));

const sh = (c) => { const r = spawnSync('sh', ['-c', c], { encoding: 'utf8' }); return r.status === 0 ? r.stdout.trim() : null; };
const round = (x, d = 4) => (typeof x === 'number' && Number.isFinite(x) ? Number(x.toPrecision(d)) : null);

async function main() {
  fs.mkdirSync(DATA, { recursive: true });
  console.log(`[gpu-bench] ${DRY ? 'DRY RUN (tiny sizes, nothing measured)' : 'measuring'}; PyTorch on ${TORCH ?? 'nothing (no torch)'}; budget ${BUDGET_S} s`);
  const gen = await ours(['gen', DATA, ...(DRY ? ['--tiny'] : [])], left());
  if (gen.error) throw new Error(`gen failed: ${gen.error}`);
  const adapter = gen.backendInit?.adapter ?? 'unknown adapter';
  console.log(`[gpu-bench] data and weights in ${gen.seconds?.toFixed(1)} s on ${adapter}`);
  const peakN = DRY ? 512 : 4096;
  const peaks = { ours: await ours(['peak', '--n', String(peakN), '--reps', DRY ? '2' : '20'], 120), pytorch: await torch(['peak'], 120) };
  const res = {};
  for (const w of WORKLOADS) {
    if (left() < 20) { res[w.id] = { error: 'skipped: the run budget was spent' }; continue; }
    const wj = JSON.stringify(w);
    const o = await ours(['run', DATA, wj, '--warmup'], Math.min(240, left()));
    const p = left() > 5 ? await torch(['run', DATA, wj, '--warmup'], Math.min(240, left())) : { error: 'skipped: the run budget was spent' };
    // a third, untimed pass of ours: kernels dispatched and their GPU time (what bounds the ratio)
    const cnt = !o.error && left() > 3 * (o.seconds ?? 0) + 10 ? await ours(['run', DATA, wj, '--count'], Math.min(240, left())) : {};
    const both = !o.error && !p.error;
    res[w.id] = {
      ours_s: round(o.seconds), pytorch_s: round(p.seconds), ratio: both ? round(o.seconds / p.seconds, 3) : null,
      max_rel_diff: both ? round(maxRelDiff(o.losses, p.losses), 3) : null,
      desc: w.desc, ...(o.error ? { ours_error: o.error } : {}), ...(p.error ? { pytorch_error: p.error } : {}),
      ...(o.fast !== undefined ? { first_layer_trick: o.fast } : {}),
      dispatches: cnt.dispatches ?? null, kernel_ms: round(cnt.kernelMs), ...(cnt.error ? { count_error: cnt.error } : {}),
    };
    console.log(`[gpu-bench] ${w.id}: ours ${res[w.id].ours_s ?? o.error} s, PyTorch ${res[w.id].pytorch_s ?? p.error} s, ratio ${res[w.id].ratio}`);
  }
  const gpu = sh('nvidia-smi --query-gpu=name,driver_version --format=csv,noheader') ?? 'no nvidia-smi';
  const out = {
    ...res, device: `${gpu}; WebGPU adapter: ${adapter}; PyTorch on ${TORCH ?? 'none'}`,
    dryRun: DRY, date: new Date().toISOString(), node: process.version, seconds: round((Date.now() - t0) / 1000),
    peaks: { ours_gflops: round(peaks.ours.gflops), pytorch_gflops: round(peaks.pytorch.gflops), n: peakN,
      ...(peaks.ours.error ? { ours_error: peaks.ours.error } : {}), ...(peaks.pytorch.error ? { pytorch_error: peaks.pytorch.error } : {}) },
  };
  write(out);
}

function write(out) {
  const rows = WORKLOADS.map((w) => {
    const r = out[w.id];
    const f = (x) => (x == null ? '—' : String(x));
    return `| ${w.id} | ${w.desc} | ${f(r.ours_s)} | ${f(r.pytorch_s)} | ${f(r.ratio)} | ${f(r.max_rel_diff)} | ${f(r.dispatches)} | ${f(r.kernel_ms)} |${r.ours_error || r.pytorch_error ? ` ${[r.ours_error, r.pytorch_error].filter(Boolean).join('; ')}` : ''}`;
  });
  const md = [
    `# GPU benchmark: our engine on WebGPU vs PyTorch CUDA${out.dryRun ? ' (DRY RUN: tiny sizes, not a measurement)' : ''}`, '',
    `Device: ${out.device}. ${out.date}, node ${out.node}, ${out.seconds} s in all.`,
    `Peak ${out.peaks.n}² fp32 matmul: ours ${out.peaks.ours_gflops ?? '—'} GFLOP/s, PyTorch ${out.peaks.pytorch_gflops ?? '—'} GFLOP/s.`, '',
    'Each side runs each workload once untimed, then once timed, in a fresh process; ratio = ours / PyTorch;',
    'max_rel_diff compares the losses (W6: eigenvalues) point by point. Made by `npm run bench:gpu`.', '',
    'dispatches / kernel ms: a third, untimed pass of ours under tf.profile (kernel time only where the adapter has timestamp queries).', '',
    '| id | workload | ours (s) | PyTorch (s) | ratio | max rel diff | dispatches | kernel ms | |', '|---|---|---|---|---|---|---|---|---|', ...rows, '',
  ].join('\n');
  for (const dir of OUT_DIRS) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      const name = out.dryRun ? 'results-gpu.dry' : 'results-gpu';
      fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(out, null, 1) + '\n');
      fs.writeFileSync(path.join(dir, `${name}.md`), md);
      console.log(`[gpu-bench] wrote ${path.join(dir, name)}.{json,md}`);
    } catch (e) { console.log(`[gpu-bench] could not write to ${dir}: ${e.message}`); }
  }
  console.log(md);
}

main().catch((e) => { console.error(`[gpu-bench] ${e.stack ?? e}`); process.exit(1); });
