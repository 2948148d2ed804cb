/**
 * The WebGPU backend against the CPU path (wasm): every model family the CPU path trains
 * (dense, conv + pooling, separable/depthwise, embedding + LSTM, BatchNorm, dropout) trains on
 * `webgpu` from the same θ₀ to the same θ_T, and interpolate / plane / curvature / connect give
 * the same numbers, within float32 tolerance. Any adapter counts for correctness, Mesa's
 * software Vulkan (llvmpipe) included; where WebGPU has no adapter at all, every test here says
 * why and is skipped (never passed silently). Kept small: llvmpipe compiles each shader slowly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backends';
import { findAdapter } from '../../src/backends/webgpu/init';
import { chooseAuto } from '../../src/backends/webgpu/auto';
import { lossSpec } from '../../src/engine/losses';
import { train, type TrainRecord } from '../../src/engine/train';
import { interpolate } from '../../src/engine/interpolate';
import { planeProbe, projectPath } from '../../src/engine/plane';
import { goodfellowBasis } from '../../src/engine/directions';
import { curvatureAnalysis } from '../../src/engine/curvature';
import { connectAnalysis } from '../../src/engine/connect';
import { AffineParams, paramLayout, readParams, trainableVars } from '../../src/engine/params';
import { AffineEvaluator } from '../../src/engine/evaluate';
import { mulberry32 } from '../../src/shared/random';

const adapter = findAdapter();

/** Skips the test (saying why) when WebGPU has no adapter here. */
async function needsAdapter(t: { skip(msg: string): void }): Promise<boolean> {
  const a = await adapter;
  if ('error' in a) { t.skip(`no WebGPU adapter: ${a.error}`); return false; }
  return true;
}

/** Runs `fn` on wasm, then on webgpu (each builds its own tensors). */
async function onBoth<T>(fn: () => Promise<T>): Promise<{ wasm: T; webgpu: T }> {
  await initBackend('wasm');
  const wasm = await fn();
  const r = await initBackend('webgpu');
  assert.equal(r.name, 'webgpu');
  assert.equal(tf.getBackend(), 'webgpu');
  const webgpu = await fn();
  await initBackend('wasm');
  return { wasm, webgpu };
}

/** max |a − b| ≤ tol · max(1, max |a|), with the worst place in the message. */
function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  let diff = 0, at = -1, scale = 1;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]));
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= diff)) { diff = d; at = i; }
  }
  assert.ok(diff <= tol * scale, `${what}: webgpu differs from wasm by ${diff} at ${at} (${a[at]} vs ${b[at]}; scale ${scale})`);
}

function rand(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}
const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
const onehot = (n: number, k: number, seed: number) => {
  const r = mulberry32(seed);
  return tf.oneHot(tf.tensor1d(Array.from({ length: n }, () => Math.floor(r() * k)), 'int32'), k).toFloat();
};

interface Case { name: string; build: () => tf.LayersModel; x: () => tf.Tensor; y: () => tf.Tensor; loss: 'categoricalCrossentropy' | 'meanSquaredError' }
const N = 24;
const cases: Case[] = [
  { name: 'dense MLP', loss: 'categoricalCrossentropy',
    build: () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [8], units: 16, activation: 'relu', kernelInitializer: seeded(1) }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: seeded(2) })] }),
    x: () => tf.tensor2d(rand(N * 8, 30), [N, 8]), y: () => onehot(N, 3, 31) },
  { name: 'conv2d + maxPooling2d + averagePooling2d', loss: 'categoricalCrossentropy',
    build: () => tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: seeded(3) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 4, kernelSize: 2, padding: 'same', kernelInitializer: seeded(4) }),
      tf.layers.averagePooling2d({ poolSize: 3 }), tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: seeded(5) })] }),
    x: () => tf.tensor4d(rand(N * 128, 32), [N, 8, 8, 2]), y: () => onehot(N, 3, 33) },
  { name: 'separableConv2d + depthwiseConv2d', loss: 'categoricalCrossentropy',
    build: () => tf.sequential({ layers: [
      tf.layers.separableConv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, depthMultiplier: 2,
        depthwiseInitializer: seeded(6), pointwiseInitializer: seeded(7) }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, depthwiseInitializer: seeded(8) }), tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: seeded(9) })] }),
    x: () => tf.tensor4d(rand(N * 72, 34), [N, 6, 6, 2]), y: () => onehot(N, 3, 35) },
  { name: 'embedding + LSTM', loss: 'categoricalCrossentropy',
    build: () => tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: 12, outputDim: 4, inputLength: 4, embeddingsInitializer: seeded(10) }),
      tf.layers.lstm({ units: 6, kernelInitializer: seeded(11), recurrentInitializer: seeded(12) }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: seeded(13) })] }),
    x: () => tf.tensor2d(Array.from(rand(N * 4, 36, 0, 12), Math.floor), [N, 4], 'int32').toFloat(), y: () => onehot(N, 3, 37) },
  { name: 'batchNormalization', loss: 'meanSquaredError',
    build: () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [8], units: 12, kernelInitializer: seeded(14) }),
      tf.layers.batchNormalization(), tf.layers.activation({ activation: 'relu' }),
      tf.layers.dense({ units: 1, kernelInitializer: seeded(15) })] }),
    x: () => tf.tensor2d(rand(N * 8, 38), [N, 8]), y: () => tf.tensor2d(rand(N, 39), [N, 1]) },
  { name: 'dropout', loss: 'meanSquaredError',
    build: () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [8], units: 16, activation: 'tanh', kernelInitializer: seeded(16) }),
      tf.layers.dropout({ rate: 0.25, seed: 17 }),
      tf.layers.dense({ units: 1, kernelInitializer: seeded(18) })] }),
    x: () => tf.tensor2d(rand(N * 8, 40), [N, 8]), y: () => tf.tensor2d(rand(N, 41), [N, 1]) },
];

/** Trains the case (2 epochs of SGD, batch 8), then interpolates θ₀→θ_T at 5 points. */
async function trainAndLine(c: Case) {
  const model = c.build(), x = c.x(), y = c.y();
  const spec = lossSpec(c.loss, undefined);
  const rec = await train(model, tf.train.sgd(0.1), spec, x, y, { epochs: 2, batchSize: 8, seed: 1, shuffle: true });
  const line = await interpolate({ model, spec, layout: rec.layout, thetaA: rec.theta0, thetaB: rec.thetaT,
    stateA: rec.state0, stateB: rec.stateT, sets: { train: { x, y } }, alpha: [-0.5, 0, 0.5, 1, 1.5],
    ...(c.name === 'batchNormalization' ? { bn: 'both' as const, bnSet: x } : {}) });
  tf.dispose([x, y]); model.dispose();
  return { rec, line };
}

for (const c of cases) {
  test(`trains and interpolates on webgpu like on wasm: ${c.name}`, async (t) => {
    if (!(await needsAdapter(t))) return;
    const started = Date.now();
    const r = await onBoth(() => trainAndLine(c));
    close(r.wasm.rec.theta0, r.webgpu.rec.theta0, 0, `${c.name}: θ₀`);
    close(r.wasm.rec.lossPerStep, r.webgpu.rec.lossPerStep, 1e-4, `${c.name}: training losses`);
    close(r.wasm.rec.thetaT, r.webgpu.rec.thetaT, 1e-4, `${c.name}: θ_T`);
    close(r.wasm.rec.stateT, r.webgpu.rec.stateT, 1e-4, `${c.name}: non-trainable state`);
    close(r.wasm.line.trainLoss, r.webgpu.line.trainLoss, 1e-4, `${c.name}: loss along the line`);
    if (r.wasm.line.bnRecomputed) close(r.wasm.line.bnRecomputed.trainLoss, r.webgpu.line.bnRecomputed!.trainLoss, 1e-4, `${c.name}: recomputed BN line`);
    t.diagnostic(`${c.name}: ${((Date.now() - started) / 1000).toFixed(1)} s on both backends`);
  });
}

test('plane, curvature and connect on webgpu match wasm (dense MLP)', async (t) => {
  if (!(await needsAdapter(t))) return;
  const c = cases[0];
  const started = Date.now();
  const r = await onBoth(async () => {
    const model = c.build(), x = c.x(), y = c.y();
    const spec = lossSpec(c.loss, undefined);
    const rec: TrainRecord = await train(model, tf.train.sgd(0.2), spec, x, y, { epochs: 3, batchSize: 8, seed: 1, shuffle: true });
    const basis = await goodfellowBasis(rec.theta0, rec.thetaT, rec.snapshots, mulberry32(1));
    const traj = { ...projectPath(basis, rec.snapshots), step: rec.snapshotSteps };
    const plane = await planeProbe({ model, spec, layout: rec.layout, basis, state: rec.stateT, trajectory: traj,
      randomWalk: { a: [], b: [] }, a: [-0.5, 0, 0.5, 1], b: [-0.5, 0, 0.5], train: { x, y } });
    const slow = await planeProbe({ model, spec, layout: rec.layout, basis, state: rec.stateT, trajectory: traj,
      randomWalk: { a: [], b: [] }, a: [0, 1], b: [0.5], train: { x, y }, fastFirstLayer: false });
    const curv = await curvatureAnalysis({ model, spec, layout: paramLayout(model), record: rec, train: { x, y }, k: 2, seed: 1,
      lanczosSteps: 8, hutchinsonSamples: 2, slicePoints: 5, pathPoints: 2, pathLanczosSteps: 4, method: 'double-backprop' });
    const conn = await connectAnalysis({ model, spec, layout: rec.layout, thetaA: rec.theta0, thetaB: rec.thetaT,
      train: { x, y }, points: 5, epochs: 1, batchSize: 12, seed: 1 });
    const ap = new AffineParams(trainableVars(model), rec.layout, rec.thetaT, []);
    const probe = new AffineEvaluator(model, spec, ap, rec.layout, rec.thetaT, [], { s: { x, y } });
    const stacks = probe.stacks; // several points per pass: on webgpu only
    probe.dispose(); ap.dispose();
    tf.dispose([x, y]); model.dispose();
    return { plane, slow, curv, conn, stacks };
  });
  const { wasm: a, webgpu: b } = r;
  assert.ok(a.plane.fast && b.plane.fast, 'first-layer trick on both');
  assert.ok(!a.stacks && b.stacks, 'points stacked per pass on webgpu, one by one on wasm');
  close(a.plane.loss.flat(), b.plane.loss.flat(), 1e-4, 'plane');
  close(a.slow.loss.flat(), b.slow.loss.flat(), 1e-4, 'plane without the first-layer trick');
  close([a.curv.loss, a.curv.gradNorm], [b.curv.loss, b.curv.gradNorm], 1e-4, 'curvature: loss and ‖g‖');
  close(a.curv.eigenvalues, b.curv.eigenvalues, 1e-3, 'curvature: top eigenvalues');
  close(a.curv.slices.top, b.curv.slices.top, 1e-3, 'curvature: slice along the top eigenvector');
  assert.equal(b.curv.method, 'double-backprop');
  close(a.conn.lossPerEpoch, b.conn.lossPerEpoch, 1e-4, 'connect: training of the bend');
  close(a.conn.curveTrainLoss, b.conn.curveTrainLoss, 1e-4, 'connect: loss along the curve');
  close(a.conn.lineTrainLoss, b.conn.lineTrainLoss, 1e-4, 'connect: loss along the line');
  t.diagnostic(`analyses: ${((Date.now() - started) / 1000).toFixed(1)} s on both backends`);
});

test("auto never takes a software adapter and says why it falls back", async () => {
  const sw = { adapter: { description: 'llvmpipe: Mesa', vendor: 'mesa', architecture: 'software', device: 'llvmpipe', software: true } };
  const hw = { adapter: { description: 'nvidia H200', vendor: 'nvidia', architecture: '', device: 'H200', software: false } };
  assert.match(chooseAuto(sw, { parameters: 2e6, batchSize: 128 }).why, /software rasterizer.*using the CPU/);
  assert.equal(chooseAuto(sw, { parameters: 2e6, batchSize: 128 }).gpu, false);
  assert.equal(chooseAuto({ error: 'no adapter' }, undefined).gpu, false);
  assert.equal(chooseAuto(hw, { parameters: 2e6, batchSize: 128 }).gpu, true);
  assert.equal(chooseAuto(hw, { parameters: 1e5, batchSize: 32 }).gpu, false);
  // on this machine: whatever it has, auto initialises a backend and never throws
  const r = await initBackend('auto', undefined, { size: { parameters: 2e6, batchSize: 128 } });
  const a = await adapter;
  if ('error' in a || a.adapter.software) { assert.equal(r.name, 'wasm'); assert.match(r.note ?? '', /using the CPU/); }
  await initBackend('wasm');
});

test('several points stacked in one pass give the point-by-point numbers (on wasm, forced)', async () => {
  await initBackend('wasm');
  for (const fastFirstLayer of [true, false]) {
    const model = tf.sequential({ layers: [ // Dense, Dropout, Activation: stackable
      tf.layers.dense({ inputShape: [8], units: 16, activation: 'tanh', kernelInitializer: seeded(20) }),
      tf.layers.dropout({ rate: 0.25 }), tf.layers.dense({ units: 3, kernelInitializer: seeded(21) }),
      tf.layers.activation({ activation: 'softmax' })] });
    const x = cases[0].x(), y3 = cases[0].y();
    const spec = lossSpec('categoricalCrossentropy', undefined);
    const layout = paramLayout(model), base = await readParams(model);
    const dirs = [1, 2].map((s) => rand(layout.total, 50 + s, -0.5, 0.5));
    const ev = new AffineEvaluator(model, spec, new AffineParams(trainableVars(model), layout, base, dirs), layout, base, dirs,
      { d: { x, y: y3 } }, { fastFirstLayer, batchSize: 10 });
    const points = [[0, 0], [0.3, -0.7], [1.5, 2], [-1, 0.25]];
    const one = await ev.many(points, 'd');
    process.env.LOSS_LANDSCAPE_STACK = '1';
    try {
      assert.ok(ev.stacks);
      const stacked = await ev.many(points, 'd');
      close(one.map((m) => m.loss), stacked.map((m) => m.loss), 1e-5, `stacked losses (fast ${fastFirstLayer})`);
      assert.deepEqual(one.map((m) => m.accuracy), stacked.map((m) => m.accuracy));
    } finally { delete process.env.LOSS_LANDSCAPE_STACK; }
    ev.dispose(); tf.dispose([x, y3]); model.dispose();
  }
});
