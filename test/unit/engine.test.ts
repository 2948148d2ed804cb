/** Engine tests with exact expectations (closed forms, the model's own evaluate()). */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backends';
import { lossSpec } from '../../src/engine/losses';
import { train } from '../../src/engine/train';
import { interpolate, lineSummary } from '../../src/engine/interpolate';
import { alphaGrid } from '../../src/engine/grid';
import { goodfellowBasis, randomBasis, pcaBasis, filterNormalizedDirection } from '../../src/engine/directions';
import { planeProbe, projectPath, randomWalk } from '../../src/engine/plane';
import { AffineEvaluator } from '../../src/engine/evaluate';
import { AffineParams, paramLayout, readParams, writeParams, norm, trainableVars } from '../../src/engine/params';
import { coarseToFine, coarseToFineGrid } from '../../src/engine/order';
import { mulberry32 } from '../../src/shared/random';
import { mnist } from '../../src/api/datasets';

before(async () => { await initBackend('wasm'); });

const close = (a: number, b: number, rel: number, what = '') =>
  assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b)), `${what} ${a} vs ${b}`);

function withSeed<T>(seed: number, fn: () => T): T {
  const orig = Math.random; Math.random = mulberry32(seed);
  try { return fn(); } finally { Math.random = orig; }
}

test('interpolation endpoints equal model.evaluate() at θ₀ and θ_T (MNIST MLP)', async () => {
  const data = mnist({ train: 600, test: 200 });
  const model = withSeed(1, () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [784], units: 32, activation: 'relu' }),
    tf.layers.dense({ units: 10, activation: 'softmax' })] }));
  const spec = lossSpec('categoricalCrossentropy', undefined);
  const rec = await train(model, tf.train.sgd(0.1), spec, data.x as tf.Tensor, data.y as tf.Tensor, { epochs: 2, batchSize: 50, seed: 1, shuffle: true });
  const r = await interpolate({ model, spec, layout: rec.layout, thetaA: rec.theta0, thetaB: rec.thetaT, stateA: rec.state0, stateB: rec.stateT,
    sets: { train: { x: data.x as tf.Tensor, y: data.y as tf.Tensor }, test: { x: data.xTest as tf.Tensor, y: data.yTest as tf.Tensor } }, alpha: alphaGrid(-0.5, 1.5, 9) });
  model.compile({ loss: 'categoricalCrossentropy', optimizer: 'sgd', metrics: ['accuracy'] });
  for (const [alpha, theta] of [[0, rec.theta0], [1, rec.thetaT]] as const) {
    writeParams(model, theta);
    const i = r.alpha.indexOf(alpha);
    const [lTrain, aTrain] = (model.evaluate(data.x as tf.Tensor, data.y as tf.Tensor, { batchSize: 10000 }) as tf.Scalar[]).map((t) => t.dataSync()[0]);
    const [lTest, aTest] = (model.evaluate(data.xTest as tf.Tensor, data.yTest as tf.Tensor, { batchSize: 10000 }) as tf.Scalar[]).map((t) => t.dataSync()[0]);
    close(r.trainLoss[i], lTrain, 1e-5, `train loss at α=${alpha}`);
    close(r.testLoss[i], lTest, 1e-5, `test loss at α=${alpha}`);
    close(r.trainAccuracy[i]!, aTrain, 1e-6, `train accuracy at α=${alpha}`);
    close(r.testAccuracy[i]!, aTest, 1e-6, `test accuracy at α=${alpha}`);
  }
  assert.ok(r.trainLoss[r.alpha.indexOf(1)] < r.trainLoss[r.alpha.indexOf(0)], 'training lowered the loss');
});

test('a linear regression interpolates as an exact quadratic in α', async () => {
  const rng = mulberry32(5);
  const X = tf.tensor2d(Array.from({ length: 64 * 3 }, () => rng() * 2 - 1), [64, 3]);
  const Y = tf.tensor2d(Array.from({ length: 64 }, () => rng()), [64, 1]);
  const model = withSeed(2, () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 1 })] }));
  const spec = lossSpec('meanSquaredError', 'none');
  const rec = await train(model, tf.train.sgd(0.05), spec, X, Y, { epochs: 3, batchSize: 16, seed: 2, shuffle: true });
  const alpha = alphaGrid(-1, 2, 13);
  const r = await interpolate({ model, spec, layout: rec.layout, thetaA: rec.theta0, thetaB: rec.thetaT, stateA: rec.state0, stateB: rec.stateT, sets: { train: { x: X, y: Y } }, alpha });
  // quadratic through α = 0, 1 and the first point; every other point must lie on it
  const [a0, a1, a2] = [r.alpha[0], 0, 1];
  const [j0, j1, j2] = [r.trainLoss[0], r.trainLoss[r.alpha.indexOf(0)], r.trainLoss[r.alpha.indexOf(1)]];
  const q = (a: number) => j0 * ((a - a1) * (a - a2)) / ((a0 - a1) * (a0 - a2)) + j1 * ((a - a0) * (a - a2)) / ((a1 - a0) * (a1 - a2)) + j2 * ((a - a0) * (a - a1)) / ((a2 - a0) * (a2 - a1));
  r.alpha.forEach((a, i) => close(r.trainLoss[i], q(a), 1e-4, `J(${a})`));
  assert.equal(r.monotone, lineSummary(r.alpha, r.trainLoss).monotone);
});

test('deep linear model: the plane matches (w₁w₂x − y)² by hand; goodfellow path ends at (0,0) and (1,0)', async () => {
  const xs = [-1, -0.5, 0.25, 0.5, 1, 1.5];
  const X = tf.tensor2d(xs.map((v) => [v])), Y = tf.tensor2d(xs.map((v) => [2 * v]));
  const model = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [1], units: 1, useBias: false, kernelInitializer: tf.initializers.constant({ value: 0.1 }) }),
    tf.layers.dense({ units: 1, useBias: false, kernelInitializer: tf.initializers.constant({ value: 0.05 }) })] });
  const spec = lossSpec('meanSquaredError', 'none');
  const rec = await train(model, tf.train.sgd(0.05), spec, X, Y, { epochs: 60, batchSize: 6, seed: 1, shuffle: false });
  const basis = await goodfellowBasis(rec.theta0, rec.thetaT, rec.snapshots, mulberry32(1));
  const traj = { ...projectPath(basis, rec.snapshots), step: rec.snapshotSteps };
  close(traj.a[0], 0, 1e-6, 'θ₀ a'); close(traj.b[0], 0, 1e-6, 'θ₀ b');
  close(traj.a[traj.a.length - 1], 1, 1e-5, 'θ_T a'); close(traj.b[traj.b.length - 1], 0, 1e-5, 'θ_T b');
  const a = [-0.5, 0, 0.5, 1, 1.5], b = [-1, -0.25, 0, 0.6];
  const r = await planeProbe({ model, spec, layout: rec.layout, basis, state: rec.stateT, trajectory: traj,
    randomWalk: randomWalk(basis, rec.theta0, rec.snapshots, mulberry32(2)), a, b, train: { x: X, y: Y } });
  b.forEach((bv, i) => a.forEach((av, j) => {
    const w1 = basis.center[0] + av * basis.u[0] + bv * basis.v[0];
    const w2 = basis.center[1] + av * basis.u[1] + bv * basis.v[1];
    const J = xs.reduce((s, x) => s + (w2 * w1 * x - 2 * x) ** 2, 0) / xs.length;
    close(r.loss[i][j], J, 1e-5, `J(a=${av}, b=${bv})`);
  }));
  // the trained point is a solution: w₁w₂ ≈ 2
  close(rec.thetaT[0] * rec.thetaT[1], 2, 1e-2, 'w₁w₂');
});

test('filter-normalized directions have the per-filter norms of θ, biases zeroed', async () => {
  const model = withSeed(3, () => tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3 }),
    tf.layers.flatten(), tf.layers.dense({ units: 5 })] }));
  const layout = paramLayout(model), theta = await readParams(model);
  const d = filterNormalizedDirection(layout, theta, mulberry32(9));
  for (const e of layout.entries) {
    const seg = d.subarray(e.offset, e.offset + e.size), ref = theta.subarray(e.offset, e.offset + e.size);
    if (e.kind === 'bias') { assert.ok(seg.every((v) => v === 0), `${e.name} zeroed`); continue; }
    const filters = e.shape[e.shape.length - 1];
    for (let f = 0; f < filters; f++) {
      let nd = 0, nt = 0;
      for (let k = f; k < e.size; k += filters) { nd += seg[k] ** 2; nt += ref[k] ** 2; }
      close(Math.sqrt(nd), Math.sqrt(nt), 1e-5, `${e.name} filter ${f}`);
    }
  }
  const rb = randomBasis(layout, theta, mulberry32(4));
  assert.notDeepEqual(Array.from(rb.u.slice(0, 10)), Array.from(rb.v.slice(0, 10)));
});

test('pca directions are orthonormal and hold the path', async () => {
  const rng = mulberry32(11);
  const p = 50, thetaT = new Float32Array(p);
  const snaps = Array.from({ length: 12 }, (_, t) => Float32Array.from({ length: p }, (_, k) => (k === 0 ? 12 - t : k === 1 ? Math.sin(t) : 0) + 1e-3 * rng()));
  const b = await pcaBasis(thetaT, snaps, rng);
  close(norm(b.u), 1, 1e-5, '|u|'); close(norm(b.v), 1, 1e-5, '|v|');
  close(b.u.reduce((s, x, i) => s + x * b.v[i], 0), 0, 1e-5, 'u·v');
  assert.ok(b.explained! > 0.99, `explained ${b.explained}`);
});

test('the first-layer linearity trick gives the straightforward numbers on random models', async () => {
  for (const [seed, act] of [[1, 'relu'], [2, 'tanh'], [3, 'sigmoid']] as const) {
    const model = withSeed(seed, () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [20], units: 16, activation: act }),
      tf.layers.dense({ units: 8, activation: 'relu' }), tf.layers.dense({ units: 4, activation: 'softmax' })] }));
    const rng = mulberry32(seed);
    const x = tf.tensor2d(Array.from({ length: 300 * 20 }, () => rng() * 2 - 1), [300, 20]);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: 300 }, () => Math.floor(rng() * 4)), 'int32'), 4).toFloat();
    const layout = paramLayout(model), base = await readParams(model);
    const dirs = [0, 1].map(() => Float32Array.from({ length: layout.total }, () => rng() - 0.5));
    const spec = lossSpec('categoricalCrossentropy', undefined);
    const mk = (fast: boolean) => new AffineEvaluator(model, spec, new AffineParams(trainableVars(model), layout, base, dirs), layout, base, dirs, { d: { x, y } }, { fastFirstLayer: fast, batchSize: 128 });
    const fast = mk(true), slow = mk(false);
    assert.ok(fast.fast && !slow.fast);
    for (const c of [[0, 0], [0.3, -0.7], [1.5, 2]]) {
      const mf = await fast.at(c, 'd'), ms = await slow.at(c, 'd');
      close(mf.loss, ms.loss, 1e-5, `loss at ${c}`);
      assert.equal(mf.accuracy, ms.accuracy);
    }
  }
});

test('barrier and monotonicity follow their definitions', () => {
  const alpha = alphaGrid(-0.5, 1.5, 9);
  const bump = alpha.map((a) => 1 - a + (a > 0 && a < 1 ? 0.8 * Math.sin(Math.PI * a) : 0));
  const s = lineSummary(alpha, bump);
  assert.equal(s.monotone, false); close(s.barrier, 0.8, 1e-9); assert.equal(s.barrierAlpha, 0.5);
  const smooth = lineSummary(alpha, alpha.map((a) => (a - 1.2) ** 2));
  assert.equal(smooth.monotone, true);
  assert.equal(smooth.barrier, 0);
});

test('coarse-to-fine orders visit every point once', () => {
  for (const n of [1, 2, 3, 41, 43]) assert.deepEqual([...coarseToFine(n)].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
  const g = coarseToFineGrid(21, 21);
  assert.equal(new Set(g.map(([i, j]) => i * 100 + j)).size, 441);
  assert.deepEqual(g.slice(0, 4).map((c) => c.join(',')).sort(), ['0,0', '0,20', '20,0', '20,20']);
});

test('MNIST: deterministic, disjoint train/test, real digits', () => {
  const a = mnist({ train: 100, test: 50 }), b = mnist({ train: 100, test: 50 });
  assert.deepEqual(Array.from((a.x as tf.Tensor).dataSync().slice(0, 2000)), Array.from((b.x as tf.Tensor).dataSync().slice(0, 2000)));
  const counts = (a.y as tf.Tensor).sum(0).arraySync() as number[];
  assert.ok(counts.every((c) => c > 0), `every class present: ${counts}`);
  const px = (a.x as tf.Tensor).dataSync();
  assert.ok(px.every((v) => v >= 0 && v <= 1));
  assert.throws(() => mnist({ train: 9000, test: 2000 }), /train \+ test/);
});

test('training is deterministic for a seed', async () => {
  const run = async () => {
    const data = mnist({ train: 200, test: 0 });
    const model = withSeed(7, () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 8, activation: 'relu' }), tf.layers.dropout({ rate: 0.2 }), tf.layers.dense({ units: 10, activation: 'softmax' })] }));
    const orig = Math.random; Math.random = mulberry32(99);
    try {
      return (await train(model, tf.train.sgd(0.1), lossSpec('categoricalCrossentropy', undefined), data.x as tf.Tensor, data.y as tf.Tensor, { epochs: 1, batchSize: 20, seed: 3, shuffle: true })).thetaT;
    } finally { Math.random = orig; }
  };
  assert.deepEqual(Array.from(await run()), Array.from(await run()));
});

test('BatchNorm statistics recomputed on a batch set equal its mean and variance by hand', async () => {
  const { recomputeBatchNorm } = await import('../../src/engine/batchnorm');
  const model = withSeed(4, () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [5], units: 3 }), tf.layers.batchNormalization(), tf.layers.dense({ units: 2 })] }));
  const rng = mulberry32(8);
  const x = tf.tensor2d(Array.from({ length: 2500 * 5 }, () => rng() * 4 - 1), [2500, 5]);
  recomputeBatchNorm(model, x, 1000);
  const h = model.layers[0].apply(x) as tf.Tensor;
  const { mean, variance } = tf.moments(h, 0);
  const bn = model.layers[1] as unknown as { movingMean: tf.LayerVariable; movingVariance: tf.LayerVariable };
  const got = [bn.movingMean.read().dataSync(), bn.movingVariance.read().dataSync()];
  [mean.dataSync(), variance.dataSync()].forEach((want, k) => want.forEach((w, i) => close(got[k][i], w, 1e-4, `stat ${k}/${i}`)));
});
