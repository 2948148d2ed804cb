/**
 * Our side of `npm run bench`: the engine in-process, through the same functions the product
 * calls (initBackend, AffineParams/AffineEvaluator via interpolate() and planeProbe(), train()).
 *
 *   node --import tsx bench/ours.ts gen  <dataDir> [--tiny]        weights, directions, data → raw float32 files
 *                                          (--tiny: θ_T from 256 examples, for dry runs on a software GPU)
 *   node --import tsx bench/ours.ts run  <dataDir> '<workload json>' [--backend wasm|node|webgpu] [--rows even|odd] [--warmup] [--count]
 *   node --import tsx bench/ours.ts profile <dataDir> '<workload json>'   where the time goes (not timed)
 *   node --import tsx bench/ours.ts peak [--reps N]               1024×1024 fp32 matmul GFLOP/s on wasm
 *
 * Every command prints one JSON object on the last line of stdout.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend, EngineBackend } from '../src/backends';
import { AffineParams, ParamLayout, paramLayout, readParams, readState, stateLayout, trainableVars, writeParams, writeState } from '../src/engine/params';
import { AffineEvaluator } from '../src/engine/evaluate';
import { lossSpec } from '../src/engine/losses';
import { train } from '../src/engine/train';
import { interpolate } from '../src/engine/interpolate';
import { linspace } from '../src/engine/grid';
import { planeProbe } from '../src/engine/plane';
import { randomBasis } from '../src/engine/directions';
import { mulberry32, permutation, withSeededMathRandom } from '../src/shared/random';
import { mnist } from '../src/api/datasets';
import { curvatureAt } from '../src/engine/curvature';
import { HessianOperator } from '../src/engine/hvp';
import { slqRuns, spectralDensity } from '../src/engine/curvature/slq';
import { denseStepProfile } from '../src/engine/dense/train';
import { denseEvalProfile } from '../src/engine/dense/eval';
import { buildCnn, buildResnet } from './models';
import { convProfile } from '../src/backends/blas/conv2d';

/** Bump when what `gen` writes changes (the orchestrator regenerates on mismatch). */
export const GEN_VERSION = 5;

export type ModelName = 'big' | 'small' | 'conv' | 'cnn' | 'resnet';
/** Models on images [n, 28, 28, 1] (the others take [n, 784]). */
const IMAGE = new Set<ModelName>(['conv', 'cnn', 'resnet']);
export interface Workload {
  id: string;
  kind: 'line' | 'plane' | 'train' | 'curvature' | 'density';
  model: ModelName;
  /** Examples evaluated (or trained on). */
  n: number;
  points?: number;
  alpha?: [number, number];
  grid?: number;
  range?: [number, number];
  batch?: number;
  lr?: number;
  epochs?: number;
  k?: number;
  /** density: SLQ runs × steps. */
  runs?: number;
  steps?: number;
}

export function buildModel(name: ModelName): tf.LayersModel {
  if (name === 'cnn') return buildCnn();
  if (name === 'resnet') return buildResnet();
  if (name === 'big') {
    return tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [784], units: 1024, activation: 'relu' }),
      tf.layers.dense({ units: 1024, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' })] });
  }
  if (name === 'small') {
    return tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [784], units: 100, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' })] });
  }
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 10, activation: 'softmax' })] });
}

const SEED: Record<ModelName, number> = { big: 1, small: 2, conv: 3, cnn: 4, resnet: 5 };
/** Training used to make θ_T in `gen` (not the W3 workload). */
const GEN_TRAIN: Record<ModelName, { epochs: number; lr: number; n: number }> = {
  big: { epochs: 1, lr: 0.1, n: 10000 },
  small: { epochs: 3, lr: 0.1, n: 10000 },
  conv: { epochs: 1, lr: 0.1, n: 10000 },
  cnn: { epochs: 1, lr: 0.1, n: 10000 },
  resnet: { epochs: 1, lr: 0.1, n: 10000 },
};
export const W3_SEED = 11;

const spec = lossSpec('categoricalCrossentropy', undefined);

function writeF32(file: string, a: Float32Array | Int32Array): void {
  fs.writeFileSync(file, Buffer.from(a.buffer, a.byteOffset, a.byteLength));
}
function readF32(file: string): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function layoutJson(l: ParamLayout) {
  return l.entries.map((e) => ({ name: e.name, shape: e.shape, offset: e.offset, size: e.size }));
}

async function gen(dir: string, tiny = false): Promise<unknown> {
  fs.mkdirSync(dir, { recursive: true });
  const t0 = Date.now();
  const data = mnist({ train: 10000, test: 0 });
  const x = data.x as tf.Tensor2D, y = data.y as tf.Tensor2D;
  writeF32(path.join(dir, 'mnist_x.f32'), (await x.data()) as Float32Array);
  writeF32(path.join(dir, 'mnist_y.f32'), (await y.data()) as Float32Array);
  const models: Record<string, unknown> = {};
  for (const name of ['big', 'small', 'conv', 'cnn', 'resnet'] as ModelName[]) {
    const model = withSeededMathRandom(SEED[name], () => buildModel(name));
    const layout = paramLayout(model);
    const theta0 = await readParams(model);
    const g = tiny ? { epochs: 1, lr: GEN_TRAIN[name].lr, n: 256 } : GEN_TRAIN[name];
    const xs = IMAGE.has(name) ? tf.reshape(x.slice(0, g.n), [g.n, 28, 28, 1]) : x.slice(0, g.n);
    const t1 = Date.now();
    const rec = await train(model, tf.train.sgd(g.lr), spec, xs, y.slice(0, g.n), { epochs: g.epochs, batchSize: 64, seed: SEED[name], shuffle: true });
    const basis = randomBasis(layout, rec.thetaT, mulberry32(100 + SEED[name]));
    writeF32(path.join(dir, `${name}_theta0.f32`), theta0);
    writeF32(path.join(dir, `${name}_thetaT.f32`), rec.thetaT);
    writeF32(path.join(dir, `${name}_u.f32`), basis.u);
    writeF32(path.join(dir, `${name}_v.f32`), basis.v);
    // BatchNorm's moving statistics after the training (used on the whole plane, in inference mode)
    const sLayout = stateLayout(model);
    if (sLayout.total > 0) writeF32(path.join(dir, `${name}_stateT.f32`), await readState(model));
    models[name] = { layout: layoutJson(layout), total: layout.total, stateLayout: layoutJson(sLayout), genTrain: { ...g, batch: 64, seconds: (Date.now() - t1) / 1000, lossPerEpoch: rec.lossPerEpoch } };
    model.dispose();
  }
  // W3: the order our train() visits the examples in (seed W3_SEED, one epoch), for PyTorch.
  for (const n of [10000, 2000, 256]) {
    const order = permutation(n, mulberry32(W3_SEED * 1000003 + 7));
    writeF32(path.join(dir, `w3_order_${n}.i32`), Int32Array.from(order));
  }
  const manifest = { version: GEN_VERSION, models, seconds: (Date.now() - t0) / 1000 };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
  return manifest;
}

interface Loaded {
  x: tf.Tensor; y: tf.Tensor; model: tf.LayersModel; layout: ParamLayout;
  theta0: Float32Array; thetaT: Float32Array; u: Float32Array; v: Float32Array;
  /** θ_T's BatchNorm moving statistics (empty without BatchNorm). */
  stateT: Float32Array;
}

function load(dir: string, w: Workload): Loaded {
  const xAll = readF32(path.join(dir, 'mnist_x.f32')), yAll = readF32(path.join(dir, 'mnist_y.f32'));
  const x = tf.tensor(xAll.subarray(0, w.n * 784), IMAGE.has(w.model) ? [w.n, 28, 28, 1] : [w.n, 784]);
  const y = tf.tensor2d(yAll.subarray(0, w.n * 10), [w.n, 10]);
  const model = withSeededMathRandom(SEED[w.model], () => buildModel(w.model));
  const layout = paramLayout(model);
  const f = (k: string) => readF32(path.join(dir, `${w.model}_${k}.f32`));
  const theta0 = f('theta0');
  if (theta0.length !== layout.total) throw new Error(`${w.model}: ${theta0.length} stored parameters, model has ${layout.total}`);
  const stateT = stateLayout(model).total > 0 ? f('stateT') : new Float32Array(0);
  if (stateT.length) writeState(model, stateT); // the profile's evaluator reads the model's own state
  return { x, y, model, layout, theta0, thetaT: f('thetaT'), u: f('u'), v: f('v'), stateT };
}

export const axis = (lo: number, hi: number, n: number) => linspace(lo, hi, n);
const now = () => performance.timeOrigin + performance.now();
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

async function run(dir: string, w: Workload, rows?: 'even' | 'odd'): Promise<unknown> {
  const L = load(dir, w);
  const none = new Float32Array(0);
  const out: Record<string, unknown> = { id: w.id };
  const c0 = cpu();
  if (w.kind === 'line') {
    const alpha = axis(w.alpha![0], w.alpha![1], w.points!);
    const t0 = now();
    const r = await interpolate({ model: L.model, spec, layout: L.layout, thetaA: L.theta0, thetaB: L.thetaT, stateA: none, stateB: none,
      sets: { train: { x: L.x, y: L.y } }, alpha, fastFirstLayer: true });
    const t1 = now();
    Object.assign(out, { seconds: (t1 - t0) / 1000, t0, t1, losses: r.trainLoss, accuracy: r.trainAccuracy, fast: r.fast, fastReason: r.fastReason });
  } else if (w.kind === 'plane') {
    const a = axis(w.range![0], w.range![1], w.grid!), b = a;
    const rowIdx = rows ? b.map((_, i) => i).filter((i) => (i % 2 === 0) === (rows === 'even')) : undefined;
    const t0 = now();
    const r = await planeProbe({ model: L.model, spec, layout: L.layout, basis: { kind: 'random', center: L.thetaT, u: L.u, v: L.v }, state: L.stateT,
      trajectory: { a: [], b: [], step: [] }, randomWalk: { a: [], b: [] }, a, b, train: { x: L.x, y: L.y }, fastFirstLayer: true, rows: rowIdx });
    const t1 = now();
    Object.assign(out, { seconds: (t1 - t0) / 1000, t0, t1, losses: r.loss.flat(), fast: r.fast, fastReason: r.fastReason });
  } else if (w.kind === 'density') {
    // the spectral density at θ_T: stochastic Lanczos quadrature on Hessian-vector products (src/engine/curvature/slq.ts)
    writeParams(L.model, L.thetaT);
    const t0 = now();
    const op = new HessianOperator(L.model, spec, { x: L.x, y: L.y }, { batchSize: 1000 });
    const qs = await slqRuns(op.apply, op.n, { runs: w.runs ?? 1, steps: w.steps ?? 100, seed: 1 });
    const d = spectralDensity(qs, op.n);
    const t1 = now();
    Object.assign(out, { seconds: (t1 - t0) / 1000, t0, t1, losses: d.nodes[0], nodes: d.nodes, weights: d.weights, products: op.products, method: op.method,
      outliers: d.outliers, bulkEdge: d.bulkEdge, moments: d.moments });
    op.dispose();
  } else if (w.kind === 'curvature') {
    // top-k Hessian eigenvalues at θ_T: Lanczos with full reorthogonalization on HVPs by double backprop
    const t0 = now();
    const c = await curvatureAt(L.model, spec, { x: L.x, y: L.y }, L.thetaT, { k: w.k ?? 5, hutchinsonSamples: 0, seed: 1, batchSize: 1000 });
    const t1 = now();
    Object.assign(out, { seconds: (t1 - t0) / 1000, t0, t1, losses: c.eigenvalues, products: c.products, method: c.method, lambdaMin: c.lambdaMin });
  } else {
    writeParams(L.model, L.theta0);
    const opt = tf.train.sgd(w.lr!);
    const t0 = now();
    const rec = await train(L.model, opt, spec, L.x, L.y, { epochs: w.epochs ?? 1, batchSize: w.batch!, seed: W3_SEED, shuffle: true });
    const t1 = now();
    const outFile = path.join(dir, `out_${w.id}_ours_thetaT.f32`);
    writeF32(outFile, rec.thetaT);
    Object.assign(out, { seconds: (t1 - t0) / 1000, t0, t1, losses: Array.from(rec.lossPerStep), thetaFile: outFile, snapshots: rec.snapshots.length });
  }
  out.cpuSeconds = cpu() - c0;
  out.maxRSS_MiB = process.resourceUsage().maxRSS / 1024;
  out.backend = tf.getBackend();
  return out;
}

/** Kernel-time table of `fn` (tf.profile; wasm kernels are synchronous, so kernelMs is wall time). */
async function kernels(fn: () => void | Promise<void>): Promise<{ totalMs: number; byKernel: Record<string, number> }> {
  const t0 = performance.now();
  const info = await tf.profile(async () => { await fn(); });
  const totalMs = performance.now() - t0;
  const byKernel: Record<string, number> = {};
  // tf.profile lists op wrappers ('fusedMatMul__op') besides the kernels they run: count kernels only.
  for (const k of info.kernels) {
    if (k.name.endsWith('__op')) continue;
    byKernel[k.name] = (byKernel[k.name] ?? 0) + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0);
  }
  return { totalMs, byKernel };
}

/** Breakdown of one workload (untimed by the bench): setup vs per-point parts, kernel shares. */
async function profile(dir: string, w: Workload): Promise<unknown> {
  if (w.kind === 'curvature' || w.kind === 'density') return { note: 'not profiled: the time is HVPs (≈ 3 gradient passes each) × Lanczos steps' };
  const L = load(dir, w);
  if (w.kind === 'train') {
    // train() itself (the fused SGD update and the snapshots included) on the first steps' examples
    const steps = 6, m = (steps + 1) * w.batch!;
    const xs = L.x.slice(0, m), ys = L.y.slice(0, m);
    const run1 = async () => {
      writeParams(L.model, L.theta0);
      await train(L.model, tf.train.sgd(w.lr!), spec, xs, ys, { epochs: 1, batchSize: w.batch!, seed: W3_SEED, shuffle: true });
    };
    await run1(); // warm-up
    Object.assign(denseStepProfile, { on: true, steps: 0, stepMs: 0, gemmMs: 0 });
    const k = await kernels(run1);
    const dense = { ...denseStepProfile };
    denseStepProfile.on = false;
    const t0 = performance.now(); await readParams(L.model); const snapMs = performance.now() - t0;
    tf.dispose([xs, ys]);
    const per = 1 / (steps + 1);
    return { id: w.id, perStepMs: k.totalMs * per, byKernelMsPerStep: scaleRec(k.byKernel, per), readParamsMs: snapMs,
      // the Dense stack's BLAS steps (no TF.js kernels): the step and its sgemm calls
      denseSteps: dense.steps ? { stepMs: dense.stepMs * per, gemmMs: dense.gemmMs * per } : null };
  }
  const base = w.kind === 'line' ? L.theta0 : L.thetaT;
  const dirs = w.kind === 'line' ? [sub(L.thetaT, L.theta0)] : [L.u, L.v];
  const coeffs = w.kind === 'line' ? [0.37] : [0.37, -0.21];
  let t = performance.now();
  const params = new AffineParams(trainableVars(L.model), L.layout, base, dirs);
  const paramsMs = performance.now() - t;
  t = performance.now();
  const ev = new AffineEvaluator(L.model, spec, params, L.layout, base, dirs, { train: { x: L.x, y: L.y } }, { fastFirstLayer: true });
  const precomputeMs = performance.now() - t;
  await ev.at(coeffs, 'train'); // warm-up
  const reps = 3;
  t = performance.now(); for (let r = 0; r < reps; r++) params.set(coeffs); const setMs = (performance.now() - t) / reps;
  t = performance.now(); for (let r = 0; r < reps; r++) await ev.current('train', coeffs); const evalMs = (performance.now() - t) / reps;
  Object.assign(denseEvalProfile, { on: true, ms: 0, gemmMs: 0 });
  Object.assign(convProfile, { on: true, im2colMs: 0, gemmMs: 0, calls: 0 });
  const k = await kernels(async () => { await ev.at(coeffs, 'train'); });
  const dense = { ...denseEvalProfile }, conv = { ...convProfile };
  denseEvalProfile.on = false; convProfile.on = false;
  ev.dispose(); params.dispose();
  return { id: w.id, fast: ev.fast, fastReason: ev.fastReason, paramsMs, precomputeMs, perPoint: { setMs, evalMs }, byKernelMsPerPoint: k.byKernel, profiledPointMs: k.totalMs,
    // points on the BLAS without TF.js (Dense stacks): the batches' time and their sgemm calls
    densePoint: ev.denseNote === undefined && ev.fast ? { ms: dense.ms, gemmMs: dense.gemmMs } : null, denseNote: ev.denseNote,
    // convolutions on the BLAS (src/backends/blas/conv2d.ts): im2col and sgemm time in the profiled point
    convPoint: conv.calls ? { im2colMs: conv.im2colMs, gemmMs: conv.gemmMs, chunks: conv.calls } : null };
}

function sub(a: Float32Array, b: Float32Array): Float32Array {
  const r = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = a[i] - b[i];
  return r;
}
function scaleRec(r: Record<string, number>, s: number): Record<string, number> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v * s]));
}

async function peak(reps = 20, n = 1024): Promise<unknown> {
  const a = tf.randomUniform([n, n]), b = tf.randomUniform([n, n]);
  for (let i = 0; i < 3; i++) tf.matMul(a, b).dispose();
  // the products only (no read back per product: a 4 MiB copy each, not arithmetic); the last
  // one is read, which on an asynchronous backend (WebGPU) waits for all of them
  const t0 = now();
  for (let i = 0; i < reps - 1; i++) tf.matMul(a, b).dispose();
  const last = tf.matMul(a, b); await last.data(); last.dispose();
  const t1 = now();
  const s = (t1 - t0) / 1000;
  return { n, reps, seconds: s, t0, t1, gflops: (2 * n ** 3 * reps) / s / 1e9, backend: tf.getBackend() };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const [cmd, dir, wjson] = argv;
  const backend = (flag('--backend') ?? 'wasm') as EngineBackend;
  const init = await initBackend(backend);
  let result: unknown;
  if (cmd === 'gen') result = await gen(dir, argv.includes('--tiny'));
  else if (cmd === 'run') {
    const w = JSON.parse(wjson) as Workload, rows = flag('--rows') as 'even' | 'odd' | undefined;
    if (argv.includes('--warmup')) await run(dir, w, rows); // once untimed in this process first (shader compilation)
    if (argv.includes('--count')) {
      // untimed: what bounds the time — kernels dispatched and their GPU time (timestamp queries, where the adapter has them)
      let r: unknown;
      const info = await tf.profile(async () => { r = await run(dir, w, rows); });
      const ms = info.kernels.map((k) => k.kernelTimeMs).filter((t): t is number => typeof t === 'number');
      result = { ...(r as object), dispatches: info.kernels.filter((k) => !k.name.endsWith('__op')).length,
        kernelMs: ms.length ? ms.reduce((a, b) => a + b, 0) : null };
    } else result = await run(dir, w, rows);
  }
  else if (cmd === 'profile') result = await profile(dir, JSON.parse(wjson) as Workload);
  else if (cmd === 'peak') result = await peak(Number(flag('--reps') ?? 20), Number(flag('--n') ?? 1024));
  else throw new Error(`unknown command '${cmd}' (gen | run | profile | peak)`);
  process.stdout.write('\n' + JSON.stringify({ ...(result as object), backendInit: { ...init, adapter: init.adapter?.description } }) + '\n');
}

main().catch((e) => { console.error(e); process.exit(1); });
