/**
 * The BLAS path under the wasm backend (src/backends/blas/): every matrix product it takes
 * (random shapes, transposes, batches, broadcast batches, fused bias + activations, gradients)
 * equals the wasm kernels' result within float32 tolerance, it leaks no tensor, and without a
 * BLAS (LOSS_LANDSCAPE_BLAS=off or a bogus library) the wasm kernels run, with a note.
 * The comparisons are skipped where no BLAS loads (CI installs libopenblas0-pthread).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backends';
import { activeDgemv, blasInstalled, blasLibrary, installBlas, uninstallBlas } from '../../src/backends/blas/install';
import { topEigen } from '../../src/engine/lanczos';
import { loadBlas } from '../../src/backends/blas/library';
import { randT, sameOutputs } from './same-outputs';

const ROOT = path.resolve(__dirname, '..', '..');
const haveBlas = blasLibrary().ok;
const skip = haveBlas ? false : `no BLAS on this machine (${(blasLibrary() as { reason: string }).reason})`;

/** Runs `f` with the wasm kernels, then with the BLAS kernels; outputs must agree. */
function sameWithAndWithoutBlas(name: string, f: () => tf.Tensor | tf.Tensor[], tol = 2e-5): Promise<void> {
  return sameOutputs(name, f, () => { uninstallBlas(); assert.ok(!blasInstalled()); },
    () => { installBlas(); assert.ok(blasInstalled()); }, 'wasm', tol);
}

before(async () => {
  const r = await initBackend('wasm');
  assert.equal(r.name, 'wasm');
  assert.equal(r.blas != null, haveBlas);
});

test('BatchMatMul on the BLAS equals wasm: random shapes, all transposes, batches', { skip }, async () => {
  let seed = 1;
  const cases: Array<[number[], number[]]> = [];
  // [M, K, N] triples (some below the size threshold: those must take the fallback correctly)
  const dims = [[3, 5, 4], [40, 70, 30], [128, 100, 64], [64, 300, 10], [1, 257, 129], [200, 33, 1], [96, 96, 96]];
  for (const [M, K, N] of dims) cases.push([[M, K], [K, N]]);
  for (const batch of [[2], [3], [2, 3]]) for (const [M, K, N] of dims.slice(1, 4)) cases.push([[...batch, M, K], [...batch, K, N]]);
  cases.push([[4, 50, 60], [60, 70]], [[50, 60], [3, 60, 70]], [[2, 1, 40, 50], [1, 3, 50, 60]]); // broadcast batches
  for (const [sa, sb] of cases) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        const r = sa.length, q = sb.length;
        const shapeA = tA ? [...sa.slice(0, -2), sa[r - 1], sa[r - 2]] : sa;
        const shapeB = tB ? [...sb.slice(0, -2), sb[q - 1], sb[q - 2]] : sb;
        const s = seed++;
        await sameWithAndWithoutBlas(`matMul ${shapeA}${tA ? 'ᵀ' : ''} · ${shapeB}${tB ? 'ᵀ' : ''}`,
          () => tf.matMul(randT(shapeA, s), randT(shapeB, s + 1000), tA, tB));
      }
    }
  }
});

test('_FusedMatMul on the BLAS equals wasm: bias shapes, every activation, transposes, batches', { skip }, async () => {
  const acts = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const;
  let seed = 500;
  for (const [M, K, N, batch] of [[64, 80, 48, 1], [200, 784, 100, 1], [30, 40, 50, 3], [2, 3, 4, 1]]) {
    for (const act of acts) {
      for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
        for (const biasShape of [null, [N]]) { // the wasm kernel takes rank-1 biases only
          const s = seed++;
          const outer = batch > 1 ? [batch] : [];
          const a = tA ? [...outer, K, M] : [...outer, M, K], b = tB ? [...outer, N, K] : [...outer, K, N];
          await sameWithAndWithoutBlas(`fused ${act} ${a}${tA ? 'ᵀ' : ''}·${b}${tB ? 'ᵀ' : ''} bias ${biasShape}`, () => tf.fused.matMul({
            a: randT(a, s), b: randT(b, s + 1), transposeA: tA, transposeB: tB,
            bias: biasShape ? randT(biasShape, s + 2) : undefined,
            activation: act, leakyreluAlpha: 0.1,
            preluActivationWeights: act === 'prelu' ? randT([N], s + 3) : undefined,
          }));
        }
      }
    }
  }
});

test('_FusedMatMul on the BLAS broadcasts a one-value bias (the stock wasm kernel reads past it)', { skip }, () => {
  installBlas();
  const [got, want] = tf.tidy(() => {
    const a = randT([64, 80], 1), b = randT([80, 48], 2), bias = tf.tensor([0.5]);
    return [tf.fused.matMul({ a, b, bias, activation: 'relu' }), tf.relu(tf.add(tf.matMul(a, b), bias))].map((t) => t.dataSync());
  });
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-5 * (1 + Math.abs(want[i])), `element ${i}`);
});

test('gradients through a dense stack on the BLAS equal wasm', { skip }, async () => {
  await sameWithAndWithoutBlas('dense grads', () => {
    const x = randT([128, 300], 7), y = randT([128, 10], 8);
    const w1 = randT([300, 200], 9), b1 = randT([200], 10), w2 = randT([200, 10], 11);
    const loss = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor) => {
      const h = tf.fused.matMul({ a: x, b: w1 as tf.Tensor2D, bias: b1, activation: 'relu' });
      return tf.losses.meanSquaredError(y, tf.matMul(h, w2 as tf.Tensor2D)) as tf.Scalar;
    };
    return [loss(w1, b1, w2), ...tf.grads(loss)([w1, b1, w2])];
  }, 1e-4);
});

test('loadBlas: off by LOSS_LANDSCAPE_BLAS=off, nothing from a bogus library path', () => {
  const saved = process.env.LOSS_LANDSCAPE_BLAS;
  try {
    process.env.LOSS_LANDSCAPE_BLAS = 'off';
    const off = loadBlas();
    assert.ok(!off.ok && /disabled/.test(off.reason));
    process.env.LOSS_LANDSCAPE_BLAS = '/nonexistent/libnoblas.so';
    const bogus = loadBlas();
    assert.ok(!bogus.ok && /libnoblas/.test(bogus.reason), JSON.stringify(bogus));
  } finally {
    if (saved === undefined) delete process.env.LOSS_LANDSCAPE_BLAS; else process.env.LOSS_LANDSCAPE_BLAS = saved;
  }
});

test('without a BLAS the wasm kernels run, with a note (fresh process, bogus library path)', () => {
  const code = `
    const tf = require('@tensorflow/tfjs');
    const { initBackend } = require('./src/backends');
    const { blasInstalled } = require('./src/backends/blas/install');
    initBackend('wasm', () => {}).then((r) => {
      const c = tf.matMul(tf.ones([300, 200]), tf.ones([200, 100])).dataSync();
      console.log(JSON.stringify({ name: r.name, blas: r.blas, note: r.blasNote, installed: blasInstalled(), c0: c[0] }));
    });`;
  for (const env of ['/nonexistent/libnoblas.so', 'off']) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', code], {
      cwd: ROOT, env: { ...process.env, LOSS_LANDSCAPE_BLAS: env }, encoding: 'utf8',
    });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    assert.equal(r.name, 'wasm');
    assert.equal(r.blas, null);
    assert.equal(r.installed, false);
    assert.match(r.note, /BLAS not used: .*wasm kernels/);
    assert.equal(r.c0, 200);
  }
});

test('initBackend({ blas: false }) removes the BLAS kernels and { blas: true } puts them back', { skip }, async () => {
  const off = await initBackend('wasm', undefined, { blas: false });
  assert.equal(off.blas, null);
  assert.equal(off.blasNote, undefined);
  assert.ok(!blasInstalled());
  const on = await initBackend('wasm', undefined, { blas: true });
  assert.ok(on.blas && on.blas.threads >= 1 && on.blas.library.length > 0);
  assert.ok(blasInstalled());
});

test('Lanczos: the reorthogonalization and Ritz vectors on the BLAS (dgemv) equal the JS loops', { skip }, async () => {
  // a symmetric 300×300 operator with a known spectrum: Q diag(λ) Qᵀ, Q from a QR of random data
  const n = 300;
  const lambdas = Array.from({ length: n }, (_, i) => (i < 5 ? 50 - 7 * i : Math.sin(i) * 3));
  const q = tf.tidy(() => tf.linalg.qr(randT([n, n], 21))[0]);
  const a = tf.tidy(() => tf.matMul(tf.mul(q, tf.tensor1d(lambdas)), q, false, true));
  const A = a.dataSync();
  tf.dispose([q, a]);
  const op = (v: Float32Array) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < n; j++) s += A[i * n + j] * v[j]; out[i] = s; }
    return out;
  };
  installBlas();
  assert.ok(activeDgemv(), 'dgemv is used while the BLAS path is on');
  const withBlas = await topEigen(op, n, 5, { steps: 40, seed: 3 });
  uninstallBlas();
  assert.equal(activeDgemv(), null, 'and not once it is off');
  const withJs = await topEigen(op, n, 5, { steps: 40, seed: 3 });
  installBlas();
  for (let i = 0; i < 5; i++) {
    assert.ok(Math.abs(withBlas.values[i] - withJs.values[i]) < 1e-6 * 50, `λ${i}: ${withBlas.values[i]} vs ${withJs.values[i]}`);
    assert.ok(Math.abs(withBlas.values[i] - lambdas[i]) < 1e-3, `λ${i} = ${withBlas.values[i]}, exact ${lambdas[i]}`);
    let d = 0;
    for (let k = 0; k < n; k++) d += withBlas.vectors[i][k] * withJs.vectors[i][k];
    assert.ok(Math.abs(Math.abs(d) - 1) < 1e-4, `Ritz vector ${i}: |cos| = ${Math.abs(d)}`);
  }
  assert.ok(Math.abs(withBlas.min - withJs.min) < 1e-4);
});

test('Sum over the batch axis (and all axes but the last) on the BLAS (sgemv) equals wasm; other reductions untouched', { skip }, async () => {
  await sameWithAndWithoutBlas('sum axis 0', () => [
    tf.sum(randT([4, 5, 6, 7], 47), [0, 1, 2]), tf.sum(randT([3, 4, 5], 48), [1, 0], true), tf.sum(randT([4, 5, 6], 49), [0, 2]),
    tf.sum(randT([128, 300], 40), 0), tf.sum(randT([7, 5], 41), 0, true), tf.sum(randT([64, 3], 42), -2),
    tf.sum(randT([6, 9], 43), 1), tf.sum(randT([6, 9], 44)), tf.sum(randT([4, 5, 6], 45), 0),
    tf.sum(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), 0), tf.sum(randT([1, 8], 46), 0),
  ]);
});

test('SGD training steps: the fused update (one axpy kernel) equals TF.js\'s Multiply + Add', { skip }, async () => {
  const { train } = await import('../../src/engine/train');
  const { lossSpec } = await import('../../src/engine/losses');
  const run = async () => {
    const model = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [30], units: 64, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) })] });
    const x = randT([96, 30], 47), y = tf.oneHot(tf.tensor1d(Array.from({ length: 96 }, (_, i) => i % 3), 'int32'), 3).toFloat();
    const opt = tf.train.sgd(0.1);
    const rec = await train(model, opt, lossSpec('categoricalCrossentropy', undefined), x, y, { epochs: 2, batchSize: 32, seed: 5, shuffle: true });
    const iterations = (opt as unknown as { iterations: number }).iterations;
    tf.dispose([x, y]); model.dispose(); opt.dispose();
    return { rec, iterations };
  };
  uninstallBlas();
  const ref = await run();
  installBlas();
  assert.ok(tf.getKernel('LossLandscapeAxpy', 'wasm'), 'the fused update is registered with the BLAS');
  // TF.js's autodiff steps with the fused update (not the Dense stack's BLAS steps: dense-train.test.ts)
  process.env.LOSS_LANDSCAPE_DENSE_TRAIN = 'off';
  const got = await run().finally(() => { delete process.env.LOSS_LANDSCAPE_DENSE_TRAIN; });
  assert.equal(got.rec.stepsOn, 'autodiff');
  assert.equal(got.iterations, ref.iterations, 'the optimizer counts the steps');
  assert.equal(got.iterations, 6);
  for (let i = 0; i < ref.rec.thetaT.length; i++) {
    assert.ok(Math.abs(got.rec.thetaT[i] - ref.rec.thetaT[i]) <= 1e-5 * Math.max(1, Math.abs(ref.rec.thetaT[i])), `θ_T[${i}]: ${got.rec.thetaT[i]} vs ${ref.rec.thetaT[i]}`);
  }
  for (let i = 0; i < ref.rec.lossPerStep.length; i++) assert.ok(Math.abs(got.rec.lossPerStep[i] - ref.rec.lossPerStep[i]) < 1e-5);
  assert.equal(got.rec.snapshots.length, ref.rec.snapshots.length);
  uninstallBlas();
  assert.equal(tf.getKernel('LossLandscapeAxpy', 'wasm'), undefined, 'and removed without it');
  installBlas();
});
