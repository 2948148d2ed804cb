#!/usr/bin/env node
/**
 * `npm run bench`: our engine against an equivalent PyTorch implementation on the canonical
 * landscape workloads, side by side.
 *
 *   npm run bench -- [--reps N] [--quick] [--only W1,W4] [--extras|--no-extras] [--no-profile] [--no-blas]
 *
 *  - makes sure PyTorch (Debian's python3-torch) and OpenBLAS are installed (apt-get);
 *  - generates the weights, directions, data and training order once in JS (bench/ours.ts gen,
 *    cached in bench/.data) and hands them to Python as raw float32 files;
 *  - measures the machine's peak 1024×1024 fp32 matmul (torch 1 and 2 threads, our wasm kernels,
 *    our BLAS path);
 *  - ours runs with the machine's BLAS under the wasm backend (src/backends/blas/) unless
 *    --no-blas (LOSS_LANDSCAPE_BLAS=off: the wasm kernels; results go to bench/results.noblas.*);
 *  - runs every workload alternating ours / PyTorch (1 thread) / PyTorch (2 threads) [/ extras],
 *    `reps` times, each run in a fresh process, timing only the probe itself;
 *  - writes bench/results.md and bench/results.json (bench/results.quick.* with --quick) and
 *    prints the ratio table.
 * Extras (off with --no-extras; off in --quick unless --extras): PyTorch with our first-layer trick, and ours split over two
 * processes (plane rows even/odd) — to show where the edge comes from and what 2 cores give.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { FULL, QUICK_SIZES, maxRelDiff } from '../bench/workloads.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = path.join(ROOT, 'bench');
const DATA = path.join(BENCH, '.data');
const require = createRequire(path.join(ROOT, 'package.json'));

// ---- arguments ---------------------------------------------------------------------------
const argv = process.argv.slice(2);
const has = (f) => argv.includes(f);
const val = (f) => { const i = argv.indexOf(f); return i >= 0 ? argv[i + 1] : undefined; };
if (has('--help') || has('-h')) {
  console.log('npm run bench -- [--reps N] [--quick] [--only W1,W4] [--extras|--no-extras] [--no-profile] [--report-only] [--no-blas]');
  process.exit(0);
}
const QUICK = has('--quick');
const REPS = Math.max(1, Number(val('--reps') ?? (QUICK ? 1 : 3)));
const EXTRAS = has('--extras') || (!has('--no-extras') && !QUICK);
const PROFILE = !has('--no-profile');
const ONLY = val('--only')?.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
/** Re-measure the machine and peaks and rewrite results.md from results.json, running no workload. */
const REPORT_ONLY = has('--report-only');
/** Our side on the wasm kernels only (the BLAS path off), to measure the fallback. */
const NO_BLAS = has('--no-blas');
const BLAS_ENV = NO_BLAS ? { LOSS_LANDSCAPE_BLAS: 'off' } : {};

// ---- workloads (bench/workloads.mjs) -------------------------------------------------------
const wanted = (id) => !ONLY || ONLY.includes(id.toUpperCase()) || ONLY.includes(id.replace(/[ab]$/, '').toUpperCase());
const WORKLOADS = FULL.filter((w) => wanted(w.id)).map((w) => (QUICK ? { ...w, ...QUICK_SIZES[w.id] } : w));
if (WORKLOADS.length === 0) { console.error(`--only ${val('--only')}: no such workload (W1..W9, W4a, W4b, W6b, W9a, W9b)`); process.exit(2); }

// ---- FLOP counts (analytic) --------------------------------------------------------------
const DENSE = { big: [784, 1024, 1024, 10], small: [784, 100, 10] };
/** Multiply-adds per example of one forward pass, and those of the first layer. */
/** A 'same' or 'valid' conv's multiply-adds per example: out² · filters · k² · in. */
const convMacs = (out, filters, k, inC) => out * out * filters * k * k * inC;
const IMAGE = new Set(['conv', 'cnn', 'resnet']);
function macs(model) {
  if (model === 'cnn') {
    const conv1 = convMacs(26, 32, 3, 1);
    return { total: conv1 + convMacs(24, 32, 3, 32) + convMacs(10, 64, 3, 32) + convMacs(8, 64, 3, 64) + 1024 * 10, first: conv1 };
  }
  if (model === 'resnet') {
    // stem; block 1 (28², 16); block 2 (14², 32, 1×1 projection); block 3 (7², 64, projection); dense
    const stem = convMacs(28, 16, 3, 1);
    const b1 = 2 * convMacs(28, 16, 3, 16);
    const b2 = convMacs(14, 32, 3, 16) + convMacs(14, 32, 3, 32) + convMacs(14, 32, 1, 16);
    const b3 = convMacs(7, 64, 3, 32) + convMacs(7, 64, 3, 64) + convMacs(7, 64, 1, 32);
    return { total: stem + b1 + b2 + b3 + 64 * 10, first: stem };
  }
  if (model === 'conv') {
    const conv1 = 26 * 26 * 8 * (3 * 3 * 1), conv2 = 11 * 11 * 16 * (3 * 3 * 8), dense = 400 * 10;
    return { total: conv1 + conv2 + dense, first: conv1 };
  }
  const d = DENSE[model];
  let total = 0;
  for (let i = 0; i + 1 < d.length; i++) total += d[i] * d[i + 1];
  return { total, first: d[0] * d[1] };
}
function pointsOf(w) { return w.kind === 'line' ? w.points : w.kind === 'plane' ? w.grid * w.grid : 0; }
/** GFLOP: naive (every point a full forward; what PyTorch does), and what our engine executes. */
function flops(w) {
  const m = macs(w.model);
  if (w.kind === 'curvature' || w.kind === 'density') return { naive: NaN, ours: NaN, trick: null }; // counts differ by method (HVPs)
  if (w.kind === 'train') {
    // forward + dW of every layer + dX of every layer but the first
    const g = (2 * w.n * (3 * m.total - m.first) * (w.epochs ?? 1)) / 1e9;
    return { naive: g, ours: g, trick: null };
  }
  const P = pointsOf(w), D = w.kind === 'line' ? 1 : 2;
  const naive = (2 * P * w.n * m.total) / 1e9;
  if (IMAGE.has(w.model)) return { naive, ours: naive, trick: null };
  const trick = (2 * w.n * m.first * (1 + D) + 2 * P * w.n * (m.total - m.first)) / 1e9;
  return { naive, ours: trick, trick };
}

// ---- processes ---------------------------------------------------------------------------
fs.mkdirSync(DATA, { recursive: true });
const LOG = path.join(DATA, 'bench.log');
fs.writeFileSync(LOG, `bench ${new Date().toISOString()} ${argv.join(' ')}\n`);
const log = (s) => fs.appendFileSync(LOG, s.endsWith('\n') ? s : s + '\n');

function run(cmd, args, { env = {}, timeoutS = 3600 } = {}) {
  return new Promise((resolve, reject) => {
    log(`$ ${Object.entries(env).map(([k, v]) => `${k}=${v} `).join('')}${cmd} ${args.join(' ')}`);
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (err) log(err);
      if (code !== 0) return reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')} … exited with ${code ?? signal}\n${err.slice(-2000)}`));
      const last = out.trim().split('\n').pop();
      try { resolve(JSON.parse(last)); } catch { reject(new Error(`no JSON from ${cmd} ${args.slice(0, 2).join(' ')}: ${out.slice(-500)}`)); }
    });
  });
}
const ours = (args, opts = {}) => run(process.execPath, ['--import', 'tsx', path.join(BENCH, 'ours.ts'), ...args], { ...opts, env: { ...BLAS_ENV, ...opts.env } });
let PY = 'python3';
const threadEnv = (t) => ({ OPENBLAS_NUM_THREADS: String(t), OMP_NUM_THREADS: String(t), MKL_NUM_THREADS: String(t) });
const torch = (args, threads) => run(PY, [path.join(BENCH, 'torch_probe.py'), ...args, '--threads', String(threads)], { env: threadEnv(threads) });

function sh(cmd) { const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }); return r.status === 0 ? r.stdout.trim() : null; }

// ---- setup: PyTorch + OpenBLAS -----------------------------------------------------------
function findPython() {
  for (const p of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return p;
  }
  return null;
}
function aptInstall(pkgs) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const pre = root ? [] : ['sudo', '-n'];
  const step = (args) => {
    console.log(`  $ ${[...pre, ...args].join(' ')}`);
    const r = spawnSync(pre[0] ?? args[0], [...pre.slice(1), ...(pre.length ? args : args.slice(1))], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed (status ${r.status}); install ${pkgs.join(' ')} by hand`);
  };
  step(['apt-get', '-o', 'DPkg::Lock::Timeout=600', 'update']);
  step(['apt-get', '-o', 'DPkg::Lock::Timeout=600', 'install', '-y', ...pkgs]);
}
function ensureTorch() {
  const need = [];
  if (!findPython()) need.push('python3-torch');
  if (sh('dpkg-query -W -f=\'${Status}\' libopenblas0-pthread 2>/dev/null') !== 'install ok installed') need.push('libopenblas0-pthread');
  if (need.length) {
    console.log(`installing ${need.join(' ')} (PyTorch on OpenBLAS; without OpenBLAS Debian's torch runs on the reference BLAS)`);
    aptInstall(need);
  }
  const py = findPython();
  if (!py) throw new Error('python3 cannot import torch even after installing python3-torch');
  return py;
}

// ---- statistics --------------------------------------------------------------------------
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
function readF32(file) { const b = fs.readFileSync(file); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); }
function relL2(a, b, ref) {
  let d = 0, r = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i] - b[i]) ** 2; r += (b[i] - ref[i]) ** 2; }
  return Math.sqrt(d / r);
}
const fmt = (x, d = 2) => (x == null || Number.isNaN(x) ? '—' : x.toFixed(d));
const sci = (x) => (x == null || Number.isNaN(x) ? '—' : x.toExponential(1));

// ---- machine description -----------------------------------------------------------------
function machine(torchInfo) {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model;
  const flags = /flags\s*:\s*(.*)/.exec(cpuinfo)?.[1].split(' ') ?? [];
  const simd = ['avx2', 'fma', 'avx512f', 'avx512_bf16'].filter((f) => flags.includes(f));
  const ver = (p) => { try { return JSON.parse(fs.readFileSync(require.resolve(`${p}/package.json`), 'utf8')).version; } catch { return null; } };
  const dpkg = (p) => sh(`dpkg-query -W -f='\${Version}' ${p} 2>/dev/null`);
  const lscpu = sh('lscpu') ?? '';
  return {
    cpu: model, cores: os.cpus().length, simd, family: /CPU family:\s*(.*)/.exec(lscpu)?.[1], cpuModel: /Model:\s*(.*)/.exec(lscpu)?.[1],
    hypervisor: /Hypervisor vendor:\s*(.*)/.exec(lscpu)?.[1] ?? null,
    memGiB: os.totalmem() / 2 ** 30, kernel: os.release(), os: sh('. /etc/os-release && echo "$PRETTY_NAME"'),
    node: process.version, tfjs: ver('@tensorflow/tfjs'), tfjsWasm: ver('@tensorflow/tfjs-backend-wasm'),
    python: torchInfo.python, pythonExe: torchInfo.python_executable, torch: torchInfo.torch, numpy: torchInfo.numpy,
    debTorch: dpkg('python3-torch'), debOpenblas: dpkg('libopenblas0-pthread'),
    blasLoaded: torchInfo.loaded_blas_libraries, openblasCore: torchInfo.openblas_corename, openblasConfig: torchInfo.openblas_config,
    alternatives: torchInfo.alternatives, torchConfig: torchInfo.config, parallelInfo: torchInfo.parallel_info,
  };
}

// ---- main --------------------------------------------------------------------------------
async function main() {
  const t0 = Date.now();
  const load0 = os.loadavg();
  console.log(`loss-landscape bench: ${QUICK ? 'quick' : 'full'}, ${REPS} rep(s), workloads ${WORKLOADS.map((w) => w.id).join(' ')}${EXTRAS ? ', with extras' : ''}`);
  if (load0[0] > 0.5) console.log(`note: load average ${load0.map((l) => l.toFixed(2)).join(' ')} — other processes compete for the 2 cores; timings will be noisy`);
  PY = ensureTorch();

  let tfjsNode = null;
  try { require.resolve('@tensorflow/tfjs-node'); tfjsNode = true; } catch { tfjsNode = false; }
  console.log(tfjsNode ? 'tfjs-node: installed (also running --backend node)' : 'tfjs-node: not installed (skipped)');

  const torchInfo = await run(PY, [path.join(BENCH, 'torch_probe.py'), 'info']);
  const M = machine(torchInfo);
  console.log(`machine: ${M.cpu}, ${M.cores} cores (${M.simd.join(' ')}), ${M.memGiB.toFixed(0)} GiB; node ${M.node}, tfjs ${M.tfjs}; python ${M.python}, torch ${M.torch}`);
  console.log(`BLAS: ${M.blasLoaded.join(', ') || 'none found'}${M.openblasCore ? ` (OpenBLAS core ${M.openblasCore})` : ''}; libblas.so.3 → ${Object.values(M.alternatives).find((p) => /libblas\.so\.3$/.test(p)) ?? '?'}`);

  // data, generated once in JS
  const genVersion = Number(/GEN_VERSION = (\d+)/.exec(fs.readFileSync(path.join(BENCH, 'ours.ts'), 'utf8'))[1]);
  const manFile = path.join(DATA, 'manifest.json');
  const man = fs.existsSync(manFile) ? JSON.parse(fs.readFileSync(manFile, 'utf8')) : null;
  if (!man || man.version !== genVersion) {
    process.stdout.write('generating weights, directions and data in JS (once) … ');
    const g = await ours(['gen', DATA]);
    console.log(`${g.seconds.toFixed(1)} s`);
  }

  // peak matmul
  process.stdout.write('peak 1024×1024 fp32 matmul: ');
  const noBlas = { env: { LOSS_LANDSCAPE_BLAS: 'off' } };
  const peak = { torch1: await torch(['peak'], 1), torch2: await torch(['peak'], 2), wasm: await ours(['peak'], noBlas) };
  if (!NO_BLAS) {
    const b = await ours(['peak']);
    if (b.backendInit?.blas) peak.blas = { ...b, blas: b.backendInit.blas };
  }
  {
    // two wasm processes at once: what splitting work over both cores can reach at best
    const reps = QUICK ? 20 : 60;
    const [a, b] = await Promise.all([ours(['peak', '--reps', String(reps)], noBlas), ours(['peak', '--reps', String(reps)], noBlas)]);
    const span = (Math.max(a.t1, b.t1) - Math.min(a.t0, b.t0)) / 1000;
    peak.wasm2 = { gflops: (2 * 2 * 1024 ** 3 * reps) / span / 1e9, each: [a.gflops, b.gflops], span };
  }
  console.log(`torch 1 thread ${peak.torch1.gflops.toFixed(1)}, 2 threads ${peak.torch2.gflops.toFixed(1)}, ours wasm ${peak.wasm.gflops.toFixed(1)}, `
    + `2 wasm processes at once ${peak.wasm2.gflops.toFixed(1)}${peak.blas ? `, ours ${peak.blas.blas.library} ${peak.blas.blas.threads} threads ${peak.blas.gflops.toFixed(1)}` : ''} GFLOP/s`);
  console.log(NO_BLAS ? 'ours: wasm kernels only (--no-blas)' : peak.blas ? `ours: wasm backend + ${peak.blas.blas.library} (${peak.blas.blas.threads} threads)` : 'ours: no BLAS loaded, wasm kernels');

  // timed runs, alternating
  const R = {};
  for (const w of REPORT_ONLY ? [] : WORKLOADS) {
    const wj = JSON.stringify(w);
    const trickable = (w.kind === 'line' || w.kind === 'plane') && !IMAGE.has(w.model);
    const r = R[w.id] = { w, ours: [], torch1: [], torch2: [], trick1: [], trick2: [], ours2p: [], node: [], convOff: [] };
    console.log(`${w.id}: ${w.desc}${QUICK ? ` [quick: n=${w.n}${w.points ? `, ${w.points} points` : ''}${w.grid ? `, ${w.grid}×${w.grid}` : ''}]` : ''}`);
    for (let rep = 0; rep < REPS; rep++) {
      const line = [];
      const o = await ours(['run', DATA, wj]); r.ours.push(o); line.push(`ours ${o.seconds.toFixed(2)}`);
      const p1 = await torch(['run', DATA, wj], 1); r.torch1.push(p1); line.push(`torch1 ${p1.seconds.toFixed(2)}`);
      const p2 = await torch(['run', DATA, wj], 2); r.torch2.push(p2); line.push(`torch2 ${p2.seconds.toFixed(2)}`);
      if (IMAGE.has(w.model) && !NO_BLAS) {
        // the convolutions on the wasm kernels (matrix products still on the BLAS): the state before conv2d.ts
        const c = await ours(['run', DATA, wj], { env: { LOSS_LANDSCAPE_BLAS_CONV: 'off' } }); r.convOff.push(c); line.push(`ours convs on wasm ${c.seconds.toFixed(2)}`);
      }
      if (tfjsNode) { const nd = await ours(['run', DATA, wj, '--backend', 'node']); r.node.push(nd); line.push(`ours/node ${nd.seconds.toFixed(2)}`); }
      if (EXTRAS && trickable) {
        const q1 = await torch(['run', DATA, wj, '--trick'], 1); r.trick1.push(q1);
        const q2 = await torch(['run', DATA, wj, '--trick'], 2); r.trick2.push(q2);
        line.push(`torch+trick ${q1.seconds.toFixed(2)}/${q2.seconds.toFixed(2)}`);
      }
      if (EXTRAS && w.kind === 'plane') {
        // the BLAS settings of one process, as the product's split does (so the values are the same)
        const [a, b] = await Promise.all([ours(['run', DATA, wj, '--rows', 'even']), ours(['run', DATA, wj, '--rows', 'odd'])]);
        const s = (Math.max(a.t1, b.t1) - Math.min(a.t0, b.t0)) / 1000;
        r.ours2p.push({ seconds: s, parts: [a.seconds, b.seconds] }); line.push(`ours 2 procs ${s.toFixed(2)}`);
      }
      console.log(`  rep ${rep + 1}/${REPS}: ${line.join(', ')} s`);
    }
  }

  // profiles (untimed)
  const prof = {};
  if (PROFILE && !REPORT_ONLY) {
    process.stdout.write('profiling our side (untimed) …');
    for (const w of WORKLOADS) { prof[w.id] = await ours(['profile', DATA, JSON.stringify(w)]); process.stdout.write(` ${w.id}`); }
    console.log();
  }

  // summarize
  const results = {};
  for (const [id, r] of Object.entries(R)) {
    const w = r.w, F = flops(w);
    const med = (xs) => (xs.length ? median(xs.map((x) => x.seconds)) : null);
    const o = med(r.ours), t1 = med(r.torch1), t2 = med(r.torch2), q1 = med(r.trick1), q2 = med(r.trick2);
    const best = t2 != null && t2 < t1 ? 2 : 1, pt = Math.min(t1, t2 ?? Infinity);
    const trickBest = q1 == null ? null : Math.min(q1, q2 ?? Infinity);
    let diff, extra = {};
    if (w.kind === 'train') {
      diff = Math.max(...[...r.torch1, ...r.torch2].map((p) => maxRelDiff(r.ours[0].losses, p.losses)));
      const tOurs = readF32(r.ours[0].thetaFile), tTorch = readF32((best === 2 ? r.torch2 : r.torch1)[0].thetaFile);
      const theta0 = readF32(path.join(DATA, `${w.model}_theta0.f32`));
      const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
      extra = {
        loss_compared: `per-step training loss (${Math.ceil(w.n / w.batch)} steps of batch ${w.batch})`,
        final_step_loss_ours: r.ours[0].losses.at(-1), final_step_loss_torch: r.torch1[0].losses.at(-1),
        epoch_mean_loss_ours: mean(r.ours[0].losses), epoch_mean_loss_torch: mean(r.torch1[0].losses),
        final_theta_rel_diff: relL2(tOurs, tTorch, theta0),
        final_theta_rel_diff_note: '‖θ_T(ours) − θ_T(torch)‖ / ‖θ_T(torch) − θ₀‖',
      };
    } else if (w.kind === 'density') {
      // different random start vectors on each side: the converged top Ritz values (the outliers) agree,
      // the bulk's nodes do not; the quadrature's moments are each one-vector estimates of tr(H)/n, tr(H²)/n
      const top = (xs) => xs.slice(0, 5);
      diff = Math.max(...[...r.torch1, ...r.torch2].map((p) => maxRelDiff(top(r.ours[0].losses), top(p.losses))));
      const mom = (nodes, weights) => [0, 1].map((k) => nodes.reduce((s, v, i) => s + weights[i] * v ** (k + 1), 0));
      const mt = mom(r.torch1[0].nodes[0], r.torch1[0].weights[0]), mo = mom(r.ours[0].nodes[0], r.ours[0].weights[0]);
      extra = { loss_compared: `top-5 Ritz values of ${w.runs} × ${w.steps}-step SLQ (the outliers, converged on both sides)`,
        ritz_ours: top(r.ours[0].losses), ritz_torch: top(r.torch1[0].losses), moments_ours: mo, moments_torch: mt,
        outliers_ours: r.ours[0].outliers, bulk_edge_ours: r.ours[0].bulkEdge, hvps_ours: r.ours[0].products, hvps_torch: r.torch1[0].products };
    } else if (w.kind === 'curvature') {
      diff = Math.max(...[...r.torch1, ...r.torch2].map((p) => maxRelDiff(r.ours[0].losses, p.losses)));
      extra = { loss_compared: `top-${w.k} eigenvalues (power iteration stops at 1e-3 relative change, so agreement is ~1e-3)`,
        eigenvalues_ours: r.ours[0].losses, eigenvalues_torch: r.torch1[0].losses, hvps_ours: r.ours[0].products, hvps_torch: r.torch1[0].products };
    } else {
      diff = Math.max(...[...r.torch1, ...r.torch2, ...r.trick1, ...r.trick2].map((p) => maxRelDiff(r.ours[0].losses, p.losses)));
      extra.loss_compared = `mean loss at each of the ${pointsOf(w)} points`;
    }
    const cpuShare = r.ours.map((x) => x.cpuSeconds / x.seconds);
    const medCpu = (xs) => (xs.length && xs[0].cpuSeconds != null ? median(xs.map((x) => x.cpuSeconds)) : null);
    const oc = medCpu(r.ours), tc = medCpu(r.torch1);
    results[id] = {
      ours_s: o, pytorch_s: pt, ratio: o / pt, max_rel_diff: diff,
      desc: w.desc, config: Object.fromEntries(Object.entries(w).filter(([k]) => k !== 'desc')),
      pytorch_best_threads: best, pytorch_1t_s: t1, pytorch_2t_s: t2,
      pytorch_with_trick_s: trickBest, ours_2procs_s: med(r.ours2p), ours_node_s: med(r.node),
      ours_conv_off_s: med(r.convOff), ratio_conv_off: r.convOff.length ? med(r.convOff) / pt : null,
      ours_conv_off_runs_s: r.convOff.map((x) => x.seconds),
      ours_runs_s: r.ours.map((x) => x.seconds), pytorch_1t_runs_s: r.torch1.map((x) => x.seconds), pytorch_2t_runs_s: r.torch2.map((x) => x.seconds),
      ours_cpu_per_wall: median(cpuShare),
      ours_cpu_s: oc, pytorch_1t_cpu_s: tc, cpu_ratio_vs_1t: oc != null && tc != null ? oc / tc : null,
      gflop_naive: F.naive, gflop_ours_executed: F.ours,
      ours_gflops: F.ours / o, pytorch_gflops: F.naive / pt, pytorch_trick_gflops: trickBest ? F.trick / trickBest : null,
      ours_effective_gflops: F.naive / o,
      ours_peak_rss_MiB: Math.max(...r.ours.map((x) => x.maxRSS_MiB)),
      ours_blas: r.ours[0].backendInit?.blas ?? null,
      fast_path: r.ours[0].fast ?? null, fast_reason: r.ours[0].fastReason ?? null,
      profile: prof[id] ?? null, ...extra,
      reps: REPS, quick: QUICK, date: new Date().toISOString(),
    };
  }
  if (results.W4a && results.W4b) {
    const a = results.W4a, b = results.W4b;
    const sum = (k) => (a[k] != null && b[k] != null ? a[k] + b[k] : null);
    results.W4 = { ours_s: sum('ours_s'), pytorch_s: sum('pytorch_s'), ratio: sum('ours_s') / sum('pytorch_s'), max_rel_diff: Math.max(a.max_rel_diff, b.max_rel_diff),
      ours_cpu_s: sum('ours_cpu_s'), pytorch_1t_cpu_s: sum('pytorch_1t_cpu_s'), cpu_ratio_vs_1t: sum('ours_cpu_s') / sum('pytorch_1t_cpu_s'),
      ours_2procs_s: sum('ours_2procs_s'),
      desc: 'W4a + W4b (MLP 784-100-10)', pytorch_with_trick_s: sum('pytorch_with_trick_s'), gflop_naive: sum('gflop_naive'), gflop_ours_executed: sum('gflop_ours_executed'),
      reps: REPS, quick: QUICK, date: new Date().toISOString() };
  }

  // merge with earlier results when only some workloads ran
  const base = (QUICK ? 'results.quick' : 'results') + (NO_BLAS ? '.noblas' : '');
  const jsonFile = path.join(BENCH, `${base}.json`);
  let all = results;
  if ((ONLY || REPORT_ONLY) && fs.existsSync(jsonFile)) {
    try { all = { ...JSON.parse(fs.readFileSync(jsonFile, 'utf8')), ...results }; } catch { /* start afresh */ }
  }
  const order = ['W1', 'W2', 'W3', 'W4', 'W4a', 'W4b', 'W5', 'W6', 'W6b', 'W7', 'W8', 'W9a', 'W9b'];
  all = Object.fromEntries(order.filter((k) => all[k]).map((k) => [k, all[k]]));
  fs.writeFileSync(jsonFile, JSON.stringify(all, null, 1) + '\n');

  const load1 = os.loadavg();
  const md = report(all, { M, peak, load0, load1, tfjsNode, minutes: (Date.now() - t0) / 60000 });
  fs.writeFileSync(path.join(BENCH, `${base}.md`), md);
  console.log('\n' + table(all) + '\n');
  const over = Object.entries(all).filter(([k, r]) => k !== 'W4a' && k !== 'W4b' && r.ratio > 1).map(([k]) => k);
  console.log(over.length ? `ours slower than PyTorch (ratio > 1): ${over.join(', ')}` : 'ours at least as fast as PyTorch on every workload');
  const bad = Object.entries(all).filter(([, r]) => r.max_rel_diff > 1e-4 && r.config?.kind !== 'train' && r.config?.kind !== 'curvature' && r.config?.kind !== 'density').map(([k]) => k);
  if (bad.length) console.log(`WARNING: losses differ by more than 1e-4 (relative) on ${bad.join(', ')}`);
  if (all.W2?.ours_peak_rss_MiB) console.log(`peak RSS of our W2 run: ${all.W2.ours_peak_rss_MiB.toFixed(0)} MiB (limit 1536)`);
  console.log(`wrote bench/${base}.md and bench/${base}.json (${((Date.now() - t0) / 60000).toFixed(1)} min)`);
}

function table(all) {
  const rows = [['workload', 'ours s', 'PyTorch s (thr)', 'ratio', 'cpu ratio', 'PyTorch+trick s', 'ours 2 procs s', 'max rel diff']];
  for (const [k, r] of Object.entries(all)) {
    rows.push([k, fmt(r.ours_s), `${fmt(r.pytorch_s)}${r.pytorch_best_threads ? ` (${r.pytorch_best_threads})` : ''}`, fmt(r.ratio), fmt(r.cpu_ratio_vs_1t), fmt(r.pytorch_with_trick_s), fmt(r.ours_2procs_s), sci(r.max_rel_diff)]);
  }
  const wd = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r, i) => r.map((c, j) => (j ? c.padStart(wd[j]) : c.padEnd(wd[j]))).join('  ') + (i === 0 ? '\n' + wd.map((n) => '-'.repeat(n)).join('  ') : '')).join('\n');
}

function profileNote(id, r, peakWasm, peakName = 'wasm') {
  const p = r.profile;
  if (!p) return '(not profiled)';
  const sum = (rec) => Object.values(rec).reduce((s, v) => s + v, 0);
  const top = (rec) => {
    const tot = sum(rec);
    return Object.entries(rec).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, v]) => `${k} ${((100 * v) / tot).toFixed(0)}%`).join(', ');
  };
  if (p.perStepMs != null && p.denseSteps) {
    const steps = Math.ceil(r.config.n / r.config.batch), d = p.denseSteps;
    const stepGflop = r.gflop_ours_executed / steps;
    return `${fmt(p.perStepMs, 1)} ms per step × ${steps} steps ≈ ${fmt((p.perStepMs * steps) / 1000)} s (timed run: ${fmt((1000 * r.ours_s) / steps, 1)} ms/step). `
      + `The Dense stack's steps on the BLAS (no autodiff): ${fmt(d.stepMs, 1)} ms/step, of which sgemm ${fmt(d.gemmMs, 1)} ms = ${fmt(stepGflop / (d.gemmMs / 1000), 1)} GFLOP/s vs ${fmt(peakWasm, 1)} ${peakName} peak `
      + `and ${fmt(d.stepMs - d.gemmMs, 1)} ms the batch copy, activations and loss; ${fmt(p.perStepMs - d.stepMs, 1)} ms/step outside the steps (θ snapshots, the loop); `
      + `a θ snapshot (readParams) ${fmt(p.readParamsMs, 1)} ms.`;
  }
  if (p.perStepMs != null) {
    const steps = Math.ceil(r.config.n / r.config.batch);
    const k = p.byKernelMsPerStep, kt = sum(k);
    const mm = (k._FusedMatMul ?? 0) + (k.BatchMatMul ?? 0);
    const stepGflop = r.gflop_ours_executed / steps;
    return `${fmt(p.perStepMs, 1)} ms per step × ${steps} steps ≈ ${fmt((p.perStepMs * steps) / 1000)} s (timed run: ${fmt((1000 * r.ours_s) / steps, 1)} ms/step). `
      + `Kernels ${fmt(kt, 1)} ms/step (${top(k)})${p.perStepMs > kt ? `, the other ${fmt(p.perStepMs - kt, 1)} ms is TF.js dispatch/autodiff bookkeeping` : ''}. `
      + `Matmul kernels (incl. our transposes) ${fmt(mm, 1)} ms/step = ${fmt(stepGflop / (mm / 1000), 1)} GFLOP/s vs ${fmt(peakWasm, 1)} ${peakName} peak; `
      + `a θ snapshot (readParams) ${fmt(p.readParamsMs, 1)} ms.`;
  }
  if (r.config.kind === 'density') {
    return `ours: ${r.hvps_ours} Hessian-vector products (SLQ, ${r.config.runs} × ${r.config.steps} steps, full reorthogonalization by dgemv), ${fmt((1000 * r.ours_s) / r.hvps_ours, 1)} ms each; `
      + `PyTorch (PyHessian's density(): Gram–Schmidt per step in Python): ${r.hvps_torch} products, ${fmt((1000 * r.pytorch_s) / r.hvps_torch, 1)} ms each. `
      + `Top Ritz values ours ${r.ritz_ours.map((v) => v.toPrecision(4)).join(', ')} vs PyTorch ${r.ritz_torch.map((v) => v.toPrecision(4)).join(', ')}; `
      + `moments (tr/n, tr(H²)/n) ours ${r.moments_ours.map((v) => v.toPrecision(3)).join(', ')} vs ${r.moments_torch.map((v) => v.toPrecision(3)).join(', ')} (one random vector each); ${r.outliers_ours} outliers above ${fmt(r.bulk_edge_ours)}.`;
  }
  if (r.config.kind === 'curvature') {
    return `ours: ${r.hvps_ours} Hessian-vector products (Lanczos, ${r.config.k} eigenvalues), ${fmt((1000 * r.ours_s) / r.hvps_ours, 1)} ms each; `
      + `PyTorch (PyHessian's power iteration with deflation): ${r.hvps_torch} products, ${fmt((1000 * r.pytorch_s) / r.hvps_torch, 1)} ms each. `
      + `Eigenvalues ours ${r.eigenvalues_ours.map((v) => v.toPrecision(4)).join(', ')} vs PyTorch ${r.eigenvalues_torch.map((v) => v.toPrecision(4)).join(', ')}.`;
  }
  const P = pointsOf(r.config);
  if (p.densePoint) {
    const d = p.densePoint, m = macs(r.config.model);
    const pointGflop = (2 * r.config.n * (m.total - m.first)) / 1e9;
    return `first-layer trick, points on the BLAS without TF.js (a Dense stack): setup ${fmt(p.paramsMs / 1000)} s + precompute ${fmt(p.precomputeMs / 1000)} s, `
      + `then ${fmt(p.perPoint.evalMs, 1)} ms per point × ${P} points ≈ ${fmt((p.precomputeMs + P * p.perPoint.evalMs) / 1000)} s (timed run ${fmt(r.ours_s)} s). `
      + `In a profiled point: ${fmt(d.ms, 1)} ms in its batches, of which sgemm ${fmt(d.gemmMs, 1)} ms (${fmt(pointGflop / (d.gemmMs / 1000), 1)} GFLOP/s) and the rest the fused first-layer pass, bias + relu and the loss per row. `
      + `${fmt(r.ours_gflops, 1)} GFLOP/s executed vs ${fmt(peakWasm, 1)} ${peakName} peak.`;
  }
  const k = p.byKernelMsPerPoint, kt = sum(k), pp = p.perPoint.setMs + p.perPoint.evalMs, wall = p.profiledPointMs;
  const total = (p.precomputeMs + P * pp) / 1000;
  return `${p.fast ? 'first-layer trick' : `no first-layer trick (${p.fastReason})`}: setup ${fmt(p.paramsMs / 1000)} s + precompute ${fmt(p.precomputeMs / 1000)} s, `
    + `then per point ${fmt(p.perPoint.setMs, 1)} ms to set θ + ${fmt(p.perPoint.evalMs, 1)} ms forward/loss × ${P} points ≈ ${fmt(total)} s (timed run ${fmt(r.ours_s)} s). `
    + `In a profiled point, kernels take ${fmt(kt, 1)} of ${fmt(wall, 1)} ms (${top(k)}); the other ${fmt(Math.max(0, (100 * (wall - kt)) / wall), 0)}% is TF.js op dispatch, tidy and the per-batch dataSync round-trips. `
    + `${fmt(r.ours_gflops, 1)} GFLOP/s executed vs ${fmt(peakWasm, 1)} ${peakName} peak.`
    + (p.convPoint ? ` Convolutions on the BLAS in the profiled point: im2col ${fmt(p.convPoint.im2colMs, 1)} ms + sgemm ${fmt(p.convPoint.gemmMs, 1)} ms `
      + `(${fmt((2 * r.config.n * macs(r.config.model).total) / 1e9 / (p.convPoint.gemmMs / 1000), 1)} GFLOP/s in sgemm) over ${p.convPoint.chunks} chunks.` : '');
}

function report(all, { M, peak, load0, load1, tfjsNode, minutes }) {
  const L = [];
  const any = Object.values(all)[0];
  L.push('# Loss Landscape vs PyTorch — `npm run bench`', '');
  L.push(`${REPORT_ONLY ? 'Report regenerated' : 'Run'} ${new Date().toISOString()} (${any.quick ? 'quick smoke run, reduced sizes' : 'full'}, ${any.reps} rep(s), medians; ${minutes.toFixed(1)} min). `
    + 'Every run is a fresh process; only the probe itself is timed (not process start, module loading or data loading). '
    + 'Runs alternate ours / PyTorch 1 thread / PyTorch 2 threads (/ extras); PyTorch\'s figure is the better of its 1- and 2-thread medians.', '');
  const dates = [...new Set(Object.values(all).map((r) => r.date?.slice(0, 16)).filter(Boolean))];
  if (dates.length > 1) {
    L.push(`Merged from several runs (\`--only\`): ${Object.entries(all).filter(([k]) => k !== 'W4').map(([k, r]) => `${k} ${r.date?.slice(0, 16).replace('T', ' ')}`).join(', ')} (UTC). `
      + 'The machine section and the peaks are from the latest run.', '');
  }
  L.push('## Machine', '');
  L.push(`- CPU: ${M.cpu} (family ${M.family}, model ${M.cpuModel}), ${M.cores} cores, ${M.simd.join(', ')}${M.hypervisor ? `, ${M.hypervisor} VM` : ''}; ${M.memGiB.toFixed(0)} GiB RAM; ${M.os}, Linux ${M.kernel}`);
  L.push(`- Load average at start ${dates.length > 1 ? '(of the latest run) ' : ''}${load0.map((x) => x.toFixed(2)).join(' ')}, at end ${load1.map((x) => x.toFixed(2)).join(' ')}${load0[0] > 0.5 ? ' — the machine was shared with other jobs, so absolute timings are noisy; the alternation spreads that over both sides' : ''}`);
  L.push(`- Ours: Node ${M.node}, @tensorflow/tfjs ${M.tfjs}, tfjs-backend-wasm ${M.tfjsWasm} (SIMD, single-threaded) with the engine's kernel patches, `
    + `${NO_BLAS ? 'BLAS path off (--no-blas: matrix products on the wasm kernels)' : peak.blas ? `matrix products on ${peak.blas.blas.library} (${peak.blas.blas.threads} threads) through koffi` : 'no BLAS loaded (wasm kernels)'}; `
    + `tfjs-node: ${tfjsNode ? 'installed (see the ours/node column in results.json)' : 'not installed (skipped)'}`);
  L.push(`- PyTorch: ${M.torch} (Debian python3-torch ${M.debTorch}), Python ${M.python} (${M.pythonExe}), NumPy ${M.numpy}`);
  L.push(`- BLAS: ${M.blasLoaded.join(', ')}; OpenBLAS ${M.debOpenblas} (libopenblas0-pthread), core type ${M.openblasCore ?? '?'}; `
    + `alternatives: ${Object.entries(M.alternatives).map(([k, v]) => `${k} → ${v}`).join('; ')}`);
  L.push(`- torch parallel backend: ${(/ATen parallel backend: (.*)/.exec(M.parallelInfo) ?? [])[1] ?? '?'}; torch built with ${(/BLAS_INFO=([^,]*)/.exec(M.torchConfig) ?? [])[1] ?? '?'} BLAS_INFO (i.e. whatever libblas.so.3 resolves to), MKL-DNN on. `
    + 'Threads: `torch.set_num_threads(T)` plus OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=T (Debian\'s torch does not pass its thread count to OpenBLAS\'s own pool).', '');
  L.push('Peak fp32 matmul, 1024×1024 in a loop:', '');
  L.push('| | GFLOP/s |', '|---|---:|');
  L.push(`| PyTorch + OpenBLAS, 1 thread | ${fmt(peak.torch1.gflops, 1)} |`, `| PyTorch + OpenBLAS, 2 threads | ${fmt(peak.torch2.gflops, 1)} |`, `| ours, tfjs wasm (XNNPACK, 1 thread) | ${fmt(peak.wasm.gflops, 1)} |`);
  if (peak.blas) L.push(`| ours, tfjs wasm + ${peak.blas.blas.library} (${peak.blas.blas.threads} threads) | ${fmt(peak.blas.gflops, 1)} |`);
  if (peak.wasm2) L.push(`| ours, two wasm processes at once (sum; each ${peak.wasm2.each.map((g) => fmt(g, 1)).join(' / ')}) | ${fmt(peak.wasm2.gflops, 1)} |`);
  L.push('');

  L.push('## Results', '');
  L.push('ratio = ours / PyTorch (below 1 = we are faster). Same shapes, same weights, directions, data (generated once in JS, handed to Python as raw float32); '
    + 'max rel diff = max over points of |ours − torch| / |torch| of the mean loss (W3: of the per-step training loss).', '');
  L.push('| workload | ours s | PyTorch s (best threads) | **ratio** | CPU-time ratio vs PyTorch 1t | PyTorch 1t / 2t s | PyTorch + our first-layer trick s | ours 2 procs s | GFLOP naive / ours | ours GFLOP/s | PyTorch GFLOP/s | max rel diff |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [k, r] of Object.entries(all)) {
    L.push(`| ${k}: ${r.desc} | ${fmt(r.ours_s)} | ${fmt(r.pytorch_s)}${r.pytorch_best_threads ? ` (${r.pytorch_best_threads})` : ''} | **${fmt(r.ratio)}** | ${fmt(r.cpu_ratio_vs_1t)} | ${r.pytorch_1t_s != null ? `${fmt(r.pytorch_1t_s)} / ${fmt(r.pytorch_2t_s)}` : '—'} | ${fmt(r.pytorch_with_trick_s)} | ${fmt(r.ours_2procs_s)} | `
      + `${fmt(r.gflop_naive, 0)} / ${fmt(r.gflop_ours_executed, 0)} | ${fmt(r.ours_gflops, 1)} | ${fmt(r.pytorch_gflops, 1)} | ${sci(r.max_rel_diff)} |`);
  }
  L.push('');
  L.push('- *GFLOP naive* counts every point as a full forward pass (what PyTorch executes); *ours* counts what our engine executes '
    + '(with the first-layer trick: X·W_c, X·U(, X·V) once, then only the layers after the first per point). GFLOP/s columns are executed FLOPs / time; '
    + `compare them with the peaks above. Our *effective* rate (naive FLOPs / our time) is in results.json (ours_effective_gflops).`);
  L.push('- *CPU-time ratio*: our process CPU seconds in the timed region over PyTorch 1-thread\'s: less sensitive than wall time to other jobs on the machine, a cross-check when the load average is high (ours runs products from 2^26 multiply-adds on every core, so its CPU time can exceed its wall time).');
  L.push('- *PyTorch + our first-layer trick* (extra, not what the Python tools do) shows where our edge comes from: with the same trick, PyTorch would be that fast.');
  L.push('- *ours 2 procs* (extra): the plane\'s rows split even/odd over two processes (planeProbe `rows`) with one process\'s BLAS settings, wall time from the first start to the last end of the two probes — what the product\'s split gives (it splits only models whose products stay under 2^26 multiply-adds, e.g. W4b and W5: bigger ones already use every core through the BLAS).');
  if (peak.blas) {
    const machine = Math.max(peak.torch1.gflops, peak.torch2.gflops);
    const pctOf = (k, p) => (all[k]?.ours_gflops != null ? `${fmt((100 * all[k].ours_gflops) / p, 0)} %` : '—');
    L.push(`- Executed GFLOP/s against the BLAS peaks of this run — the machine's (the same OpenBLAS under PyTorch, best threads: ${fmt(machine, 1)} GFLOP/s) / ours (1024² through TF.js and koffi: ${fmt(peak.blas.gflops, 1)}): `
      + ['W1', 'W2', 'W3', 'W7', 'W8', 'W9a', 'W9b'].filter((k) => all[k]?.ours_gflops != null).map((k) => `${k} ${fmt(all[k].ours_gflops, 1)} GFLOP/s = ${pctOf(k, machine)} / ${pctOf(k, peak.blas.gflops)}`).join('; ') + '.');
  }
  const off = Object.entries(all).filter(([, r]) => r.ours_conv_off_s != null);
  if (off.length) {
    L.push('- *Convolutions on the wasm kernels* (LOSS_LANDSCAPE_BLAS_CONV=off, run in the same alternation: the state before src/backends/blas/conv2d.ts), '
      + `ours s and ratio before → after: ${off.map(([k, r]) => `${k} ${fmt(r.ours_conv_off_s)} s, ${fmt(r.ratio_conv_off)} → ${fmt(r.ratio)}`).join('; ')}.`);
  }
  const rss = Object.entries(all).filter(([, r]) => r.ours_peak_rss_MiB != null).map(([k, r]) => `${k} ${fmt(r.ours_peak_rss_MiB, 0)}`);
  if (rss.length) L.push(`- Peak RSS of our process per workload (MiB, process.resourceUsage().maxRSS, whole process incl. data): ${rss.join(', ')}.`);
  for (const k of ['W3', 'W8', 'W9b']) {
    const r = all[k];
    if (!r) continue;
    L.push(`- ${k} agreement (summation orders differ, so loose): per-step loss max rel diff ${sci(r.max_rel_diff)}; epoch mean loss ours ${fmt(r.epoch_mean_loss_ours, 5)} vs PyTorch ${fmt(r.epoch_mean_loss_torch, 5)}; `
      + `final step loss ${fmt(r.final_step_loss_ours, 5)} vs ${fmt(r.final_step_loss_torch, 5)}; ${r.final_theta_rel_diff_note} = ${sci(r.final_theta_rel_diff)}.`);
  }
  if (all.W2) L.push(`- Peak RSS of our W2 run (whole process, process.resourceUsage().maxRSS): ${fmt(all.W2.ours_peak_rss_MiB, 0)} MiB (limit 1536 MiB: ${all.W2.ours_peak_rss_MiB < 1536 ? 'OK' : 'EXCEEDED'}).`);
  L.push(`- tfjs-node: ${tfjsNode ? 'installed; ours/node timings in results.json' : 'not installed (skipped) — it cannot be installed here (no prebuilt binary download), so only the wasm backend is measured'}.`);
  L.push('');
  L.push('## What bounds our time (profile, untimed run of bench/ours.ts profile)', '');
  for (const [k, r] of Object.entries(all)) if (r.profile !== undefined) L.push(`- **${k}** (ratio ${fmt(r.ratio)}): ${profileNote(k, r, r.ours_blas && peak.blas ? peak.blas.gflops : peak.wasm.gflops, r.ours_blas && peak.blas ? 'BLAS' : 'wasm')}`);
  L.push('');
  L.push('## Reproduce', '', '```', 'npm run bench                 # full: 3 reps, with extras', 'npm run bench -- --quick      # smoke run, reduced sizes, < 2 min',
    'npm run bench -- --only W1,W4 --reps 5', '```', '',
    'Files: `scripts/bench.mjs` (orchestration, FLOP counts, report), `bench/ours.ts` (our engine in-process: interpolate(), planeProbe(), train()), '
    + '`bench/torch_probe.py` (PyTorch: per point an in-place copy of θ_c + a·u + b·v into the parameters under no_grad, batched forward, Keras cross-entropy; '
    + 'evaluation batch 1000 for the MLPs like ours, 250 for the conv net because 1000 makes PyTorch\'s conv ~2× slower here), '
    + '`bench/.data/` (generated inputs, cache; bench.log has every command and stderr).', '');
  return L.join('\n');
}

main().catch((e) => { console.error(e.stack ?? String(e)); process.exit(1); });
