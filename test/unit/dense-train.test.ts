/**
 * The Dense stack's training steps on the BLAS (src/engine/dense/plan.ts,
 * src/engine/dense/train.ts) against TF.js's autodiff steps on the same model, data and
 * seed: θ after every epoch and at the end, the loss of every step, the snapshots, the
 * optimizer's step count, a loss that stops being finite; and every model the BLAS steps must
 * not take goes to autodiff with the reason. Skipped where no BLAS loads (CI installs one).
 */
import { test, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backends';
import { blasLibrary, installBlas, uninstallBlas } from '../../src/backends/blas/install';
import { train, NonFiniteLossError, TrainOptions, TrainRecord } from '../../src/engine/train';
import { lossSpec } from '../../src/engine/losses';
import { readParams, writeParams } from '../../src/engine/params';
import type { Loss } from '../../src/api/types';
import { randT } from './same-outputs';
import { buildCase, DENSE_CASES } from './dense-cases';

const skip = blasLibrary().ok ? false : 'no BLAS on this machine';

before(async () => { await initBackend('wasm'); });
afterEach(() => { delete process.env.LOSS_LANDSCAPE_DENSE_TRAIN; installBlas(); });

interface Run { rec: TrainRecord; iterations: number; perEpoch: Float32Array[] }

async function trainOnce(model: tf.LayersModel, theta0: Float32Array, loss: Loss, x: tf.Tensor, y: tf.Tensor,
  optimizer: () => tf.Optimizer, opts: TrainOptions, dense: boolean): Promise<Run> {
  if (dense) delete process.env.LOSS_LANDSCAPE_DENSE_TRAIN; else process.env.LOSS_LANDSCAPE_DENSE_TRAIN = 'off';
  writeParams(model, theta0);
  const opt = optimizer();
  const perEpoch: Float32Array[] = [];
  const rec = await train(model, opt, lossSpec(loss, undefined), x, y, { ...opts, onEpoch: async () => { perEpoch.push(await readParams(model)); } });
  const iterations = (opt as unknown as { iterations: number }).iterations;
  opt.dispose();
  return { rec, iterations, perEpoch };
}

function close(got: Float32Array, ref: Float32Array, tol: number, what: string): void {
  assert.equal(got.length, ref.length, `${what}: length`);
  for (let i = 0; i < ref.length; i++) {
    assert.ok(Math.abs(got[i] - ref[i]) <= tol * Math.max(1, Math.abs(ref[i])), `${what}[${i}]: ${got[i]} vs ${ref[i]}`);
  }
}

/** Trains the same model both ways; the BLAS steps must be taken and agree with autodiff. */
async function sameTraining(model: tf.LayersModel, loss: Loss, x: tf.Tensor, y: tf.Tensor, optimizer: () => tf.Optimizer,
  opts: TrainOptions, tol = 2e-5): Promise<{ dense: Run; auto: Run }> {
  const theta0 = await readParams(model);
  const auto = await trainOnce(model, theta0, loss, x, y, optimizer, opts, false);
  const before = tf.memory().numTensors;
  const dense = await trainOnce(model, theta0, loss, x, y, optimizer, opts, true);
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  assert.equal(auto.rec.stepsOn, 'autodiff');
  assert.equal(dense.rec.stepsOn, 'blas-dense', `the BLAS steps were not taken: ${dense.rec.stepsNote}`);
  assert.equal(dense.iterations, auto.iterations, 'the optimizer counts every step');
  assert.equal(dense.rec.steps, auto.rec.steps);
  close(dense.rec.lossPerStep, auto.rec.lossPerStep, tol, 'loss per step');
  close(Float32Array.from(dense.rec.lossPerEpoch), Float32Array.from(auto.rec.lossPerEpoch), tol, 'loss per epoch');
  assert.deepEqual(dense.rec.snapshotSteps, auto.rec.snapshotSteps);
  dense.rec.snapshots.forEach((s, k) => close(s, auto.rec.snapshots[k], tol, `snapshot ${k}`));
  assert.equal(dense.perEpoch.length, opts.epochs);
  dense.perEpoch.forEach((p, e) => close(p, auto.perEpoch[e], tol, `the model's θ after epoch ${e + 1}`));
  close(dense.rec.thetaT, auto.rec.thetaT, tol, 'θ_T');
  close(await readParams(model), dense.rec.thetaT, 0, 'the model holds θ_T');
  // and training moved θ (the comparison is not between two untouched vectors)
  const moved = dense.rec.thetaT.some((v, i) => Math.abs(v - theta0[i]) > 1e-3);
  assert.ok(moved, 'θ moved');
  return { dense, auto };
}

const labels = (n: number, k: number) => tf.tensor1d(Array.from({ length: n }, (_, i) => (i * 7) % k), 'int32');

for (const c of DENSE_CASES) {
  test(`${c.name}: a partial last batch, shuffled epochs`, { skip }, async () => {
    const model = await buildCase(c);
    const { x, y } = c.data(70, 3);
    if (c.saturate) {
      const p = model.predict(x) as tf.Tensor;
      const clipped = (await p.data()).filter((v) => v > 1 - 1e-7).length;
      p.dispose();
      assert.ok(clipped >= 10, `${clipped} saturated probabilities`);
    }
    await sameTraining(model, c.loss, x, y, () => tf.train.sgd(0.2), { epochs: 2, batchSize: 16, seed: 4, shuffle: true });
    tf.dispose([x, y]); model.dispose();
  });
}

test('in order (no shuffling)', { skip }, async () => {
  const c = DENSE_CASES[1];
  const model = await buildCase(c);
  const { x, y } = c.data(64, 9);
  await sameTraining(model, c.loss, x, y, () => tf.train.sgd(0.5), { epochs: 2, batchSize: 16, seed: 1, shuffle: false });
  tf.dispose([x, y]); model.dispose();
});

test('a loss that stops being finite is reported at the same step as with autodiff', { skip }, async () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [6], units: 6 }), tf.layers.dense({ units: 2 })] });
  const theta0 = await readParams(model);
  const x = randT([64, 6], 5), y = randT([64, 2], 6);
  const steps: number[] = [];
  for (const dense of [false, true]) {
    const err = await trainOnce(model, theta0, 'meanSquaredError', x, y, () => tf.train.sgd(40), { epochs: 30, batchSize: 8, seed: 1, shuffle: true }, dense)
      .then(() => null, (e: unknown) => e);
    assert.ok(err instanceof NonFiniteLossError, `diverged: ${String(err)}`);
    steps.push(err.step);
  }
  assert.equal(steps[1], steps[0]);
  tf.dispose([x, y]); model.dispose();
});

test('models, losses and optimizers the BLAS steps do not take train by autodiff, and say why', { skip }, async () => {
  const x = randT([16, 8], 1), y = tf.oneHot(labels(16, 2), 2).toFloat();
  const dense = (extra: Partial<Parameters<typeof tf.layers.dense>[0]> = {}) => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [8], units: 4, activation: 'relu', ...extra }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
  const cases: Array<[string, () => tf.LayersModel, Loss, () => tf.Optimizer, RegExp]> = [
    ['momentum', () => dense(), 'categoricalCrossentropy', () => tf.train.momentum(0.1, 0.9), /not plain SGD/],
    ['adam', () => dense(), 'categoricalCrossentropy', () => tf.train.adam(0.01), /not plain SGD/],
    ['a loss function', () => dense(), (t, p) => tf.losses.meanSquaredError(t, p) as tf.Scalar, () => tf.train.sgd(0.1), /loss/],
    ['binary cross-entropy', () => dense(), 'binaryCrossentropy', () => tf.train.sgd(0.1), /loss binaryCrossentropy/],
    ['an L2 regularizer', () => dense({ kernelRegularizer: tf.regularizers.l2({ l2: 0.01 }) }), 'categoricalCrossentropy', () => tf.train.sgd(0.1), /regularizer/],
    ['elu', () => dense({ activation: 'elu' }), 'categoricalCrossentropy', () => tf.train.sgd(0.1), /activation elu/],
    ['dropout', () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 4 }), tf.layers.dropout({ rate: 0.5 }), tf.layers.dense({ units: 2, activation: 'softmax' })] }),
      'categoricalCrossentropy', () => tf.train.sgd(0.1), /Dropout/],
    ['softmax in the middle', () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 4, activation: 'softmax' }), tf.layers.dense({ units: 2, activation: 'softmax' })] }),
      'categoricalCrossentropy', () => tf.train.sgd(0.1), /softmax before the last/],
    ['a frozen layer', () => { const m = dense(); m.layers[0].trainable = false; return m; }, 'categoricalCrossentropy', () => tf.train.sgd(0.1), /non-trainable|not trainable|outside/],
    ['a functional model', () => { const i = tf.input({ shape: [8] }); return tf.model({ inputs: i, outputs: tf.layers.dense({ units: 2, activation: 'softmax' }).apply(i) as tf.SymbolicTensor }); },
      'categoricalCrossentropy', () => tf.train.sgd(0.1), /Sequential/],
  ];
  for (const [name, build, loss, opt, why] of cases) {
    const model = build();
    const rec = await train(model, opt(), lossSpec(loss, undefined), x, y, { epochs: 1, batchSize: 8, seed: 1, shuffle: true });
    assert.equal(rec.stepsOn, 'autodiff', name);
    assert.match(rec.stepsNote ?? '', why, name);
    model.dispose();
  }
  const model = dense();
  process.env.LOSS_LANDSCAPE_DENSE_TRAIN = 'off';
  let rec = await train(model, tf.train.sgd(0.1), lossSpec('categoricalCrossentropy', undefined), x, y, { epochs: 1, batchSize: 8, seed: 1, shuffle: true });
  assert.match(rec.stepsNote ?? '', /LOSS_LANDSCAPE_DENSE_TRAIN/);
  delete process.env.LOSS_LANDSCAPE_DENSE_TRAIN;
  uninstallBlas();
  rec = await train(model, tf.train.sgd(0.1), lossSpec('categoricalCrossentropy', undefined), x, y, { epochs: 1, batchSize: 8, seed: 1, shuffle: true });
  assert.equal(rec.stepsOn, 'autodiff');
  assert.match(rec.stepsNote ?? '', /BLAS path is off/);
  installBlas();
  rec = await train(model, tf.train.sgd(0.1), lossSpec('categoricalCrossentropy', undefined), x, y, { epochs: 1, batchSize: 8, seed: 1, shuffle: true });
  assert.equal(rec.stepsOn, 'blas-dense');
  tf.dispose([x, y]); model.dispose();
});
