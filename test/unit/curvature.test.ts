/** Curvature: Hessian-vector products, Lanczos, Hutchinson, verdicts, against closed forms. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backends';
import { blasLibrary } from '../../src/backends/blas/install';
import { lossSpec } from '../../src/engine/losses';
import { train } from '../../src/engine/train';
import { HessianOperator, gradient, hvp } from '../../src/engine/hvp';
import { hutchinson, lanczos, topEigen } from '../../src/engine/lanczos';
import { classify, curvatureAnalysis, curvatureAt, slices, subsample } from '../../src/engine/curvature';
import { symEig } from '../../src/engine/linalg';
import { paramLayout, readParams, writeParams, norm } from '../../src/engine/params';
import { fillGaussian, mulberry32 } from '../../src/shared/random';
import { mnist } from '../../src/api/datasets';

before(async () => { await initBackend('wasm'); });

/** 'auto' takes the R-operator on the BLAS for Dense stacks (dense-hvp.test.ts), double backprop without a BLAS. */
const AUTO_DENSE = blasLibrary().ok ? 'r-op' : 'double-backprop';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-30);
const close = (a: number, b: number, tol: number, what = '') => assert.ok(rel(a, b) <= tol, `${what}: ${a} vs ${b} (rel ${rel(a, b)})`);
const relNorm = (a: Float32Array, b: Float32Array) => {
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i] - b[i]) ** 2; m += b[i] ** 2; }
  return Math.sqrt(d / m);
};

function withSeed<T>(seed: number, fn: () => T): T {
  const orig = Math.random; Math.random = mulberry32(seed);
  try { return fn(); } finally { Math.random = orig; }
}

/** A dense symmetric matrix as an operator (Float64 products). */
function matOp(a: number[][]) {
  return (v: Float32Array) => Float32Array.from(a.map((row) => row.reduce((s, x, j) => s + x * v[j], 0)));
}

test('Lanczos that has not converged continues its Krylov space (no product is done twice)', async () => {
  const n = 400;
  // a slowly decaying spectrum: 8 steps cannot pin the top 4 down to 1e-6
  const lam = Array.from({ length: n }, (_, i) => 10 / (1 + 0.15 * i) - (i === n - 1 ? 3 : 0));
  let calls = 0;
  const op = (v: Float32Array) => { calls++; return Float32Array.from(v, (x, i) => x * lam[i]); };
  const e = await topEigen(op, n, 4, { steps: 8, seed: 2, relTol: 1e-6, absTol: 1e-9 });
  assert.ok(e.steps > 8, `it had to go on: ${e.steps} steps`);
  assert.equal(calls, e.steps, 'every product counted once: no restart from scratch');
  assert.ok([16, 32, 64].includes(e.steps), `steps double: ${e.steps}`);
  assert.ok(e.converged);
  e.values.forEach((v, i) => close(v, lam[i], 1e-5, `λ${i + 1}`));
  close(e.min, lam[n - 1], 1e-3, 'λ_min');
});

test('Lanczos finds the extreme eigenvalues of an explicit matrix; Hutchinson is unbiased within its SE', async () => {
  const rng = mulberry32(3);
  const n = 60;
  // A = Q diag(λ) Qᵀ with a random orthogonal Q (from the Jacobi eigenvectors of a random symmetric matrix)
  const r = Array.from({ length: n }, () => Array.from({ length: n }, () => rng() - 0.5));
  const s = r.map((row, i) => row.map((x, j) => x + r[j][i]));
  const Q = symEig(s).vectors; // rows are orthonormal vectors
  const lam = Array.from({ length: n }, (_, i) => (i === n - 1 ? -2.5 : i === n - 2 ? -0.7 : 12 * 0.8 ** i));
  const A = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => lam.reduce((acc, l, k) => acc + l * Q[k][i] * Q[k][j], 0)));
  const op = matOp(A);
  const e = await topEigen(op, n, 3, { steps: 30, seed: 1 });
  const sorted = [...lam].sort((a, b) => b - a);
  e.values.forEach((v, i) => close(v, sorted[i], 1e-5, `λ${i + 1}`));
  close(e.min, -2.5, 1e-4, 'λ_min');
  // Ritz vectors are eigenvectors: ‖Ay − λy‖ small
  const y = e.vectors[0], ay = op(y);
  let res = 0; for (let i = 0; i < n; i++) res += (ay[i] - e.values[0] * y[i]) ** 2;
  assert.ok(Math.sqrt(res) < 1e-4 * 12, `residual ${Math.sqrt(res)}`);
  // Hutchinson: trace within 4 SE, and exact when n ≤ samples
  const trace = lam.reduce((a, b) => a + b, 0);
  const h = await hutchinson(op, n, 50, 7);
  assert.ok(!h.exact && h.se > 0 && Math.abs(h.mean - trace) < 4 * h.se, `trace ${h.mean} ± ${h.se} vs ${trace}`);
  const hx = await hutchinson(op, n, n, 7);
  assert.ok(hx.exact && hx.se === 0); close(hx.mean, trace, 1e-5, 'exact trace');
  // determinism for a seed
  assert.deepEqual((await hutchinson(op, n, 10, 3)).samples, (await hutchinson(op, n, 10, 3)).samples);
  // the Krylov space of a 3-dimensional operator is exhausted and restarted: all 3 eigenvalues come out
  const small = await lanczos(matOp([[2, 0, 0], [0, -1, 0], [0, 0, 0.5]]), 3, { steps: 10 });
  assert.equal(small.ritzValues.length, 3);
  [2, 0.5, -1].forEach((v, i) => assert.ok(Math.abs(small.ritzValues[i] - v) < 1e-6, `${small.ritzValues}`));
});

test('linear regression (MSE): eigenvalues and trace equal those of (2/n)·AᵀA, A = [X 1]', async () => {
  const rng = mulberry32(5);
  const nEx = 200, d = 30;
  const cols = Array.from({ length: d }, (_, j) => 3 / (1 + j) ** 0.8); // a spread spectrum
  const Xa = Array.from({ length: nEx }, () => Array.from({ length: d }, (_, j) => (rng() * 2 - 1) * cols[j]));
  const X = tf.tensor2d(Xa), Y = tf.tensor2d(Xa.map(() => [rng()]));
  const model = withSeed(2, () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [d], units: 1 })] }));
  const spec = lossSpec('meanSquaredError', 'none');
  const A = Xa.map((r) => [...r, 1]);
  const H = Array.from({ length: d + 1 }, (_, i) => Array.from({ length: d + 1 }, (_, j) => (2 / nEx) * A.reduce((s, r) => s + r[i] * r[j], 0)));
  const exact = symEig(H).values;
  const exactTrace = H.reduce((s, r, i) => s + r[i], 0);
  const theta = await readParams(model);
  const other = Float32Array.from(theta, (v) => v + 0.5);
  writeParams(model, other);

  // 20 Lanczos steps on 31 dimensions: the top of the spectrum converges
  const c = await curvatureAt(model, spec, { x: X, y: Y }, theta, { k: 3, lanczosSteps: 20, hutchinsonSamples: 40, seed: 1 });
  console.log(`linear regression: top ${c.eigenvalues.map((v) => v.toFixed(6))} vs exact ${exact.slice(0, 3).map((v) => v.toFixed(6))}; ` +
    `trace ${c.trace.toFixed(6)} vs ${exactTrace.toFixed(6)} (exact=${c.traceExact}); λ_min ${c.lambdaMin.toExponential(4)} vs ${exact[d].toExponential(4)}; method ${c.method}`);
  assert.equal(c.method, AUTO_DENSE);
  c.eigenvalues.forEach((v, i) => close(v, exact[i], 1e-3, `λ${i + 1}`));
  assert.ok(c.traceExact); close(c.trace, exactTrace, 1e-3, 'trace');
  assert.equal(c.verdict, 'minimum', c.verdictText);
  assert.deepEqual(Array.from(await readParams(model)), Array.from(other), 'weights restored');

  // a full Krylov space gives the bottom too (and Hutch++ on its basis the exact trace); Hutchinson (Rademacher) stays within 4 SE
  const tensorsBefore = tf.memory().numTensors; // (after a first call: TF.js caches a few constants on first use)
  const full = await curvatureAt(model, spec, { x: X, y: Y }, theta, { k: 1, lanczosSteps: d + 1, hutchinsonSamples: 30, seed: 2, traceMethod: 'hutchinson' });
  assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensors leaked');
  assert.ok(Math.abs(full.lambdaMin - exact[d]) <= 1e-3 * exact[d] + 1e-5 * exact[0], `λ_min ${full.lambdaMin} vs ${exact[d]}`);
  assert.ok(!full.traceExact && Math.abs(full.trace - exactTrace) < 4 * full.traceSE, `Hutchinson ${full.trace} ± ${full.traceSE} vs ${exactTrace}`);

  // J is quadratic: the slice along the top eigenvector has second difference λ_max
  const ts = [-0.5, 0, 0.5];
  const [row] = await slices(model, spec, { x: X, y: Y }, theta, [c.topVector], ts);
  close((row[0] + row[2] - 2 * row[1]) / 0.25, exact[0], 1e-3, 'slice curvature');
  tf.dispose([X, Y]);
});

test('deep linear J = mean (w₂w₁x − y)²: saddle ±2·mean(xy) at the origin, a flat valley at a solution', async () => {
  const xs = [-1, -0.5, 0.25, 0.5, 1, 1.5], ys = xs.map((x) => 2 * x);
  const X = tf.tensor2d(xs.map((v) => [v])), Y = tf.tensor2d(ys.map((v) => [v]));
  const model = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [1], units: 1, useBias: false }),
    tf.layers.dense({ units: 1, useBias: false })] });
  const spec = lossSpec('meanSquaredError', 'none');
  const mxy = xs.reduce((s, x, i) => s + x * ys[i], 0) / xs.length;
  const mxx = xs.reduce((s, x) => s + x * x, 0) / xs.length;

  const o = await curvatureAt(model, spec, { x: X, y: Y }, new Float32Array([0, 0]), { k: 2, seed: 3 });
  console.log(`deep linear at the origin: ${o.eigenvalues.map((v) => v.toFixed(6))} vs ±${(2 * mxy).toFixed(6)}; ${o.verdictText}`);
  close(o.eigenvalues[0], 2 * mxy, 1e-5, 'λ_max'); close(o.lambdaMin, -2 * mxy, 1e-5, 'λ_min');
  assert.ok(Math.abs(o.trace) < 1e-6, `trace ${o.trace}`);
  assert.equal(o.verdict, 'saddle'); assert.match(o.verdictText, /^saddle \(λ_min = −/);
  // the eigenvectors are (1, ∓1)/√2
  close(Math.abs(o.topVector[0]), Math.SQRT1_2, 1e-5); assert.equal(o.topVector[0] * o.topVector[1] < 0, mxy > 0);

  // single example: ±2xy
  const x1 = tf.tensor2d([[1.5]]), y1 = tf.tensor2d([[-0.8]]);
  const one = await curvatureAt(model, spec, { x: x1, y: y1 }, new Float32Array([0, 0]), { k: 1, seed: 1 });
  close(one.eigenvalues[0], 2 * 1.5 * 0.8, 1e-5, 'one point λ_max'); close(one.lambdaMin, -2 * 1.5 * 0.8, 1e-5, 'one point λ_min');

  // a solution w₁w₂ = 2: eigenvalues 0 (along the valley w₁w₂ = 2) and 2·mean(x²)(w₁² + w₂²)
  const w1 = 1.6, w2 = 2 / 1.6;
  const s = await curvatureAt(model, spec, { x: X, y: Y }, new Float32Array([w1, w2]), { k: 2, seed: 4 });
  const big = 2 * mxx * (w1 * w1 + w2 * w2);
  console.log(`deep linear at a solution: ${s.eigenvalues.map((v) => v.toExponential(6))} vs [${big.toFixed(6)}, 0]; ${s.verdictText}`);
  close(s.eigenvalues[0], big, 1e-5, 'λ_max');
  assert.ok(Math.abs(s.lambdaMin) < 1e-5 * big, `λ_min ${s.lambdaMin}`);
  close(s.trace, big, 1e-5, 'trace');
  assert.equal(s.verdict, 'minimum');
  // the flat direction is tangent to the valley: (w₁, −w₂) normalized
  const tn = Math.hypot(w1, w2);
  close(Math.abs(s.bottomVector[0] * w1 / tn - s.bottomVector[1] * w2 / tn), 1, 1e-4, 'valley tangent');
  tf.dispose([X, Y, x1, y1]);
});

test('verdict rule', () => {
  assert.equal(classify(10, -0.31, 1).verdict, 'saddle');
  assert.equal(classify(10, -0.31, 1).verdictText, 'saddle (λ_min = −0.31, λ_max = 10)');
  assert.equal(classify(10, -0.005, 1).verdict, 'minimum'); // within tol·λ_max
  assert.equal(classify(10, 0.2, 1).verdict, 'minimum');
  assert.equal(classify(3e-8, -1e-8, 0.5).verdict, 'flat');
  assert.deepEqual(subsample(20, 8), [0, 3, 5, 8, 11, 14, 16, 19]);
  assert.deepEqual(subsample(3, 8), [0, 1, 2]);
});

function smallMlp(seed: number) {
  const model = withSeed(seed, () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [20], units: 16, activation: 'relu' }),
    tf.layers.dense({ units: 4, activation: 'softmax' })] }));
  const rng = mulberry32(seed);
  const x = tf.tensor2d(Array.from({ length: 200 * 20 }, () => rng() * 2 - 1), [200, 20]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: 200 }, () => Math.floor(rng() * 4)), 'int32'), 4).toFloat();
  return { model, x, y };
}

test('HVP by double backprop equals central differences of gradients (relu MLP, softmax crossentropy)', async () => {
  const { model, x, y } = smallMlp(3);
  const spec = lossSpec('categoricalCrossentropy', undefined);
  const set = { x, y };
  const theta = await readParams(model);
  const op = new HessianOperator(model, spec, set, { batchSize: 64, method: 'double-backprop' });
  const worst: number[] = [];
  for (const seed of [1, 2, 3]) {
    const v = fillGaussian(new Float32Array(op.n), mulberry32(seed));
    const hv = await op.hvp(v);
    const eps = 1e-3 / norm(v); // small enough that no ReLU kink is crossed (3e-3 crosses one for seed 3)
    writeParams(model, Float32Array.from(theta, (t, i) => t + eps * v[i]));
    const gp = (await gradient(model, spec, set)).grad;
    writeParams(model, Float32Array.from(theta, (t, i) => t - eps * v[i]));
    const gm = (await gradient(model, spec, set)).grad;
    writeParams(model, theta);
    const fd = Float32Array.from(gp, (g, i) => (g - gm[i]) / (2 * eps));
    worst.push(relNorm(hv, fd));
  }
  console.log(`HVP vs central differences, relative error: ${worst.map((w) => w.toExponential(2)).join(', ')}`);
  worst.forEach((w) => assert.ok(w < 1e-3, `relative error ${w}`));
  assert.equal(op.method, 'double-backprop');
  op.dispose();
  // batches weigh by their size: one batch or many give the same product
  const v = fillGaussian(new Float32Array((await readParams(model)).length), mulberry32(9));
  const a = (await hvp(model, spec, set, v, { batchSize: 200 })).hv, b = (await hvp(model, spec, set, v, { batchSize: 37 })).hv;
  assert.ok(relNorm(a, b) < 1e-5, `batching ${relNorm(a, b)}`);
  // the finite-difference method gives the same product
  const f = await hvp(model, spec, set, v, { method: 'finite-difference' });
  assert.equal(f.method, 'finite-difference');
  assert.ok(relNorm(f.hv, a) < 2e-3, `finite-difference method ${relNorm(f.hv, a)}`);
  assert.deepEqual(Array.from(await readParams(model)), Array.from(theta), 'weights restored');
  tf.dispose([x, y]);
});

test("'auto' falls back to finite differences when double backprop is wrong or impossible", async () => {
  const { x, y } = smallMlp(4);
  // tf.losses.softmaxCrossEntropy is a customGrad that saves a tensor computed inside it: its
  // second-order gradient is silently wrong, which the one-time check catches
  const linear = withSeed(4, () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [20], units: 16, activation: 'tanh' }), tf.layers.dense({ units: 4 })] }));
  const sce = lossSpec((t, p) => tf.losses.softmaxCrossEntropy(t, p) as tf.Scalar, 'none');
  const v = fillGaussian(new Float32Array((await readParams(linear)).length), mulberry32(1));
  const r = await hvp(linear, sce, { x, y }, v);
  assert.equal(r.method, 'finite-difference');
  // elu's gradient kernel has no gradient: double backprop throws, the operator falls back
  const elu = withSeed(5, () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [20], units: 16, activation: 'elu' }), tf.layers.dense({ units: 4, activation: 'softmax' })] }));
  const op = new HessianOperator(elu, lossSpec('categoricalCrossentropy', undefined), { x, y });
  await op.hvp(fillGaussian(new Float32Array(op.n), mulberry32(2)));
  assert.equal(op.method, 'finite-difference'); assert.match(op.fallbackReason ?? '', /EluGrad/);
  op.dispose();
  tf.dispose([x, y]);
});

test('curvatureAnalysis on an MNIST MLP: shapes, slices through J(θ_T), weights restored', async () => {
  const data = mnist({ train: 400, test: 0 });
  const model = withSeed(1, () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [784], units: 16, activation: 'relu' }), tf.layers.dense({ units: 10, activation: 'softmax' })] }));
  const spec = lossSpec('categoricalCrossentropy', undefined);
  const set = { x: data.x as tf.Tensor, y: data.y as tf.Tensor };
  const rec = await train(model, tf.train.sgd(0.1), spec, set.x, set.y, { epochs: 2, batchSize: 20, seed: 1, shuffle: true, maxSnapshots: 11 });
  const init = await readParams(model);
  writeParams(model, rec.theta0);
  const calls: number[] = [];
  const r = await curvatureAnalysis({ model, spec, layout: paramLayout(model), record: rec, train: set, k: 3, seed: 1,
    pathPoints: 4, pathLanczosSteps: 10, onProgress: (done, total) => { calls.push(done / total); } });
  console.log(`MNIST 784-16-10 (400 examples): ${r.verdictText}, top ${r.eigenvalues.map((v) => v.toFixed(3))}, trace ${r.trace.toFixed(2)} ± ${r.traceSE.toFixed(2)}, ` +
    `path λ_max ${r.alongPath.lambdaMax.map((v) => v.toFixed(2))}, ${r.seconds.toFixed(1)} s`);
  assert.equal(r.examples, 400);
  assert.equal(r.eigenvalues.length, 3);
  assert.ok(r.eigenvalues[0] >= r.eigenvalues[1] && r.eigenvalues[1] >= r.eigenvalues[2] && r.eigenvalues[2] >= r.lambdaMin);
  assert.ok(r.eigenvalues[0] > 0);
  assert.equal(r.method, AUTO_DENSE);
  assert.equal(r.slices.t.length, 41); assert.equal(r.slices.top.length, 41);
  close(r.slices.top[20], r.loss, 1e-5, 'slice centre'); close(r.slices.bottom[20], r.loss, 1e-5, 'slice centre');
  assert.ok(r.slices.top[0] > r.loss && r.slices.top[40] > r.loss, 'positive curvature along the top eigenvector');
  assert.deepEqual(r.alongPath.step, [rec.snapshotSteps[0], ...subsample(rec.snapshots.length, 4).slice(1).map((i) => rec.snapshotSteps[i])]);
  assert.equal(r.alongPath.lambdaMax.length, 4);
  close(r.alongPath.lambdaMax[3], r.eigenvalues[0], 1e-3, 'path ends at θ_T');
  assert.ok(calls.length > 0 && Math.abs(calls[calls.length - 1] - 1) < 1e-9 && calls.every((c, i) => i === 0 || c >= calls[i - 1]), 'progress reaches 1 monotonically');
  assert.deepEqual(Array.from(await readParams(model)), Array.from(rec.theta0), 'weights restored');
  assert.ok(norm(Float32Array.from(init, (v, i) => v - rec.theta0[i])) > 0.1, 'the test moved the model away from θ_T first');
});
