/**
 * Points of lines and planes evaluated on the BLAS without TF.js (src/engine/dense/eval.ts
 * via AffineEvaluator) against the TF.js evaluation of the same points: loss, its standard error
 * and accuracy, for one, two and three directions (the fused SIMD pass and the JS fallback),
 * every activation and loss the plan takes, uneven batches, a test set, zero coefficients; and
 * against the model evaluated at θ directly. Skipped where no BLAS loads (CI installs one).
 */
import { test, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backends';
import { blasLibrary } from '../../src/backends/blas/install';
import { AffineEvaluator, evaluateModel, type Metrics } from '../../src/engine/evaluate';
import { AffineParams, paramLayout, readParams, trainableVars, writeParams } from '../../src/engine/params';
import { lossSpec } from '../../src/engine/losses';
import type { Loss } from '../../src/api/types';
import { rand, randT } from './same-outputs';
import { buildCase, DENSE_CASES } from './dense-cases';

const skip = blasLibrary().ok ? false : 'no BLAS on this machine';

before(async () => { await initBackend('wasm'); });
afterEach(() => { delete process.env.LOSS_LANDSCAPE_DENSE_EVAL; });

const labels = (n: number, k: number) => tf.tensor1d(Array.from({ length: n }, (_, i) => (i * 3 + 2) % k), 'int32');

function near(got: Metrics, ref: Metrics, tol: number, what: string): void {
  assert.ok(Math.abs(got.loss - ref.loss) <= tol * Math.max(1, Math.abs(ref.loss)), `${what} loss ${got.loss} vs ${ref.loss}`);
  if (ref.lossSE === null) assert.equal(got.lossSE, null, what);
  else assert.ok(Math.abs(got.lossSE! - ref.lossSE) <= 1e-4 * Math.max(1e-3, ref.lossSE), `${what} SE ${got.lossSE} vs ${ref.lossSE}`);
  assert.equal(got.accuracy, ref.accuracy, `${what} accuracy`);
}

/** Evaluates `points` with the BLAS evaluator and with TF.js; they must agree (and the BLAS one be used). */
async function samePoints(model: tf.LayersModel, loss: Loss, sets: Record<string, { x: tf.Tensor; y: tf.Tensor }>, dirCount: number,
  points: number[][], opts: { batchSize?: number; accuracy?: boolean } = {}, tol = 2e-6): Promise<void> {
  const layout = paramLayout(model);
  const theta = await readParams(model);
  const dirs = Array.from({ length: dirCount }, (_, k) => rand(theta.length, 40 + k, -0.5, 0.5));
  const spec = lossSpec(loss, undefined);
  const make = () => {
    const params = new AffineParams(trainableVars(model), layout, theta, dirs);
    return { params, ev: new AffineEvaluator(model, spec, params, layout, theta, dirs, sets, { fastFirstLayer: true, ...opts }) };
  };
  const got = make();
  assert.equal(got.ev.denseNote, undefined, 'the BLAS evaluator is used');
  process.env.LOSS_LANDSCAPE_DENSE_EVAL = 'off';
  const ref = make();
  assert.match(ref.ev.denseNote ?? '', /LOSS_LANDSCAPE_DENSE_EVAL/);
  delete process.env.LOSS_LANDSCAPE_DENSE_EVAL;
  for (const key of Object.keys(sets)) {
    const a = await got.ev.many(points, key), b = await ref.ev.many(points, key);
    points.forEach((p, i) => near(a[i], b[i], tol, `${key} at [${p}]`));
  }
  // and the model evaluated directly at one point (the straightforward path)
  const p = points[points.length - 1];
  writeParams(model, Float32Array.from(theta, (t, i) => dirs.reduce((s, d, k) => s + p[k] * d[i], t)));
  const direct = await evaluateModel(model, spec, Object.values(sets)[0]);
  if (opts.accuracy === false) direct.accuracy = null;
  near((await got.ev.many([p], Object.keys(sets)[0]))[0], direct, 1e-5, 'direct');
  writeParams(model, theta);
  got.ev.dispose(); got.params.dispose(); ref.ev.dispose(); ref.params.dispose();
}

for (const c of DENSE_CASES) {
  test(`${c.name}: lines and planes (the fused SIMD pass), uneven batches, a test set`, { skip: skip || c.notOn?.eval || false }, async () => {
    const model = await buildCase(c);
    const train = c.data(230, 1), test = c.data(70, 2);
    const sets = { train, test };
    await samePoints(model, c.loss, sets, 1, [[0], [0.3], [-1.2], [1]], { batchSize: 64 });
    await samePoints(model, c.loss, sets, 2, [[0, 0], [0.5, -0.25], [0, 1.5], [-1, 0.7]], { batchSize: 100 });
    Object.values(sets).forEach((s) => tf.dispose([s.x, s.y])); model.dispose();
  });
}

test('three directions (the JS fallback pass), no accuracy asked', { skip }, async () => {
  const c = DENSE_CASES[0];
  const model = await buildCase(c);
  const sets = { train: c.data(90, 3) };
  await samePoints(model, c.loss, sets, 3, [[0.2, 0.04, 0], [1, 1, 1], [0, 0, 0.5]], { accuracy: false });
  Object.values(sets).forEach((s) => tf.dispose([s.x, s.y])); model.dispose();
});

test('models the BLAS evaluator does not take keep TF.js, and say why', { skip }, async () => {
  const x = randT([20, 5], 7), y = tf.oneHot(labels(20, 2), 2).toFloat();
  const cases: Array<[string, tf.LayersModel, Loss, RegExp]> = [
    ['elu', tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 4, activation: 'elu' }), tf.layers.dense({ units: 2, activation: 'softmax' })] }), 'categoricalCrossentropy', /activation elu/],
    ['a loss function', tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 2, activation: 'softmax' })] }), (t, p) => tf.losses.meanSquaredError(t, p) as tf.Scalar, /loss/],
    ['binary accuracy', tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 1, activation: 'sigmoid' })] }), 'meanSquaredError', /binary accuracy/],
  ];
  for (const [name, model, loss, why] of cases) {
    const layout = paramLayout(model), theta = await readParams(model);
    const spec = name === 'binary accuracy' ? lossSpec(loss, 'accuracy') : lossSpec(loss, undefined);
    const yy = name === 'binary accuracy' ? tf.ones([20, 1]) : y;
    const params = new AffineParams(trainableVars(model), layout, theta, [theta]);
    const ev = new AffineEvaluator(model, spec, params, layout, theta, [theta], { train: { x, y: yy } }, { fastFirstLayer: true });
    assert.match(ev.denseNote ?? '', why, name);
    ev.dispose(); params.dispose(); model.dispose();
    if (yy !== y) yy.dispose();
  }
  tf.dispose([x, y]);
});
