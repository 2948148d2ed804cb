/**
 * Hessian-vector products of Dense stacks by the R-operator on the BLAS
 * (src/engine/dense/hvp.ts) against TF.js's double backprop on the same model and data:
 * every activation, loss and layer shape the plan takes, a saturated softmax, batching; 'auto'
 * picks it, and says why not where it cannot. Skipped where no BLAS loads (CI installs one).
 */
import { test, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backends';
import { blasLibrary, installBlas, uninstallBlas } from '../../src/backends/blas/install';
import { HessianOperator } from '../../src/engine/hvp';
import { lossSpec } from '../../src/engine/losses';
import { fillGaussian, mulberry32 } from '../../src/shared/random';
import type { Loss } from '../../src/api/types';
import { randT } from './same-outputs';
import { buildCase, DENSE_CASES } from './dense-cases';

const skip = blasLibrary().ok ? false : 'no BLAS on this machine';

before(async () => { await initBackend('wasm'); });
afterEach(() => { delete process.env.LOSS_LANDSCAPE_DENSE_HVP; installBlas(); });

const relNorm = (a: Float32Array, b: Float32Array) => {
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i] - b[i]) ** 2; m += b[i] ** 2; }
  return Math.sqrt(d / m);
};
const labels = (n: number, k: number) => tf.tensor1d(Array.from({ length: n }, (_, i) => (i * 5 + 1) % k), 'int32');

/** R-operator products equal double backprop's for three random directions and two batchings. */
async function sameProducts(model: tf.LayersModel, loss: Loss, x: tf.Tensor, y: tf.Tensor, tol = 2e-5): Promise<void> {
  const spec = lossSpec(loss, undefined), set = { x, y };
  const ref = new HessianOperator(model, spec, set, { batchSize: 64, method: 'double-backprop' });
  const got = new HessianOperator(model, spec, set, { batchSize: 64 });
  const other = new HessianOperator(model, spec, set, { batchSize: 23 });
  assert.equal(got.method, 'r-op', `the R-operator was not taken: ${got.denseNote}`);
  for (const seed of [1, 2, 3]) {
    const v = fillGaussian(new Float32Array(ref.n), mulberry32(seed));
    const a = await ref.hvp(v), b = await got.hvp(v), c = await other.hvp(v);
    assert.ok(Math.sqrt(a.reduce((s, t) => s + t * t, 0)) > 1e-6, 'a non-zero product');
    assert.ok(relNorm(b, a) < tol, `R-operator vs double backprop: ${relNorm(b, a)}`);
    assert.ok(relNorm(c, a) < tol, `batches of 23: ${relNorm(c, a)}`);
  }
  // the cached pass (second product onwards) and a repeated direction give the same numbers
  const v = fillGaussian(new Float32Array(ref.n), mulberry32(7));
  assert.deepEqual(Array.from(await got.hvp(v)), Array.from(await got.hvp(v)));
  assert.equal(ref.method, 'double-backprop');
  ref.dispose(); got.dispose(); other.dispose();
}

for (const c of DENSE_CASES) {
  test(c.name, { skip }, async () => {
    const model = await buildCase(c);
    const { x, y } = c.data(80, 4);
    await sameProducts(model, c.loss, x, y, c.saturate ? 1e-4 : 2e-5);
    tf.dispose([x, y]); model.dispose();
  });
}

test("'auto' keeps double backprop where the R-operator does not apply, and says why", { skip }, async () => {
  const x = randT([30, 5], 8), y = tf.oneHot(labels(30, 2), 2).toFloat();
  const make = (act: string) => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [5], units: 4, activation: act as 'relu' }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
  const spec = lossSpec('categoricalCrossentropy', undefined);
  const cases: Array<[string, () => tf.LayersModel, ReturnType<typeof lossSpec>, RegExp]> = [
    ['elu', () => make('elu'), spec, /activation elu/],
    ['a loss function', () => make('relu'), lossSpec((t, p) => tf.losses.meanSquaredError(t, p) as tf.Scalar, undefined), /loss/],
  ];
  for (const [name, build, s, why] of cases) {
    const model = build();
    const op = new HessianOperator(model, s, { x, y });
    assert.notEqual(op.method, 'r-op', name);
    assert.match(op.denseNote ?? '', why, name);
    op.dispose(); model.dispose();
  }
  const model = make('relu');
  process.env.LOSS_LANDSCAPE_DENSE_HVP = 'off';
  let op = new HessianOperator(model, spec, { x, y });
  assert.equal(op.method, 'double-backprop');
  op.dispose();
  delete process.env.LOSS_LANDSCAPE_DENSE_HVP;
  uninstallBlas();
  op = new HessianOperator(model, spec, { x, y });
  assert.equal(op.method, 'double-backprop');
  assert.match(op.denseNote ?? '', /BLAS path is off/);
  assert.throws(() => new HessianOperator(model, spec, { x, y }, { method: 'r-op' }), /R-operator needs a Dense stack/);
  op.dispose();
  installBlas();
  op = new HessianOperator(model, spec, { x, y });
  assert.equal(op.method, 'r-op');
  op.dispose();
  tf.dispose([x, y]); model.dispose();
});
