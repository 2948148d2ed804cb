/**
 * The curvature papers' findings, asserted at small scale (real MNIST digits, real TF.js training):
 * Sagun et al. 2017 / Papyan 2019 — the Hessian of a trained softmax classifier has about C
 * outliers above its bulk (C classes), seen in the spectral density (stochastic Lanczos quadrature);
 * Keskar et al. 2017 — large-batch training ends at sharper points than small-batch training.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backends';
import { mnist } from '../../src/api/datasets';
import { lossSpec } from '../../src/engine/losses';
import { train } from '../../src/engine/train';
import { curvatureAt } from '../../src/engine/curvature';
import { mulberry32 } from '../../src/shared/random';

before(async () => { await initBackend('wasm'); });

function withSeed<T>(seed: number, fn: () => T): T {
  const orig = Math.random; Math.random = mulberry32(seed);
  try { return fn(); } finally { Math.random = orig; }
}

/** A trained 784-32-C softmax MLP on the first examples of the classes 0…C−1, and its SLQ outliers. */
async function outliers(classes: number): Promise<{ outliers: number; bulkEdge: number; top: number[] }> {
  const data = mnist({ train: 3000, test: 0 });
  const x = data.x as tf.Tensor2D, y = data.y as tf.Tensor2D;
  const labels = Array.from(tf.argMax(y, 1).dataSync());
  const keep = labels.map((l, i) => (l < classes ? i : -1)).filter((i) => i >= 0).slice(0, 1000);
  const idx = tf.tensor1d(keep, 'int32');
  const xs = tf.gather(x, idx), ys = tf.oneHot(tf.gather(tf.tensor1d(labels, 'int32'), idx), classes).toFloat();
  const model = withSeed(1, () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [784], units: 32, activation: 'relu' }), tf.layers.dense({ units: classes, activation: 'softmax' })] }));
  const spec = lossSpec('categoricalCrossentropy', undefined);
  const rec = await train(model, tf.train.sgd(0.1), spec, xs, ys, { epochs: 8, batchSize: 32, seed: 1, shuffle: true, maxSnapshots: 2 });
  const c = await curvatureAt(model, spec, { x: xs, y: ys }, rec.thetaT, { k: 1, density: { runs: 1, steps: 80 }, hutchinsonSamples: 2, seed: 1 });
  tf.dispose([x, y, idx, xs, ys]);
  const d = c.density!;
  return { outliers: d.outliers, bulkEdge: d.bulkEdge, top: d.nodes[0].slice(0, 14) };
}

for (const [classes, lo, hi] of [[10, 8, 12], [3, 2, 4]] as const) {
  test(`Sagun et al. 2017 / Papyan 2019: a trained ${classes}-class softmax MLP has ${lo}–${hi} outliers above the bulk`, async () => {
    const r = await outliers(classes);
    console.log(`${classes} classes: ${r.outliers} outliers above the bulk edge ${r.bulkEdge.toFixed(4)}; top Ritz values ${r.top.map((v) => v.toFixed(3)).join(', ')}`);
    assert.ok(r.outliers >= lo && r.outliers <= hi, `${r.outliers} outliers`);
  });
}

test('Keskar et al. 2017: a large batch (10 % of the data) ends sharper than batch 32 on the same epochs — top eigenvalue and trace', async () => {
  const d = mnist({ train: 1000, test: 0 });
  const x = d.x as tf.Tensor, y = d.y as tf.Tensor;
  const spec = lossSpec('categoricalCrossentropy', undefined);
  const sharp: Record<number, { lambda: number; trace: number; se: number }> = {};
  for (const batchSize of [32, 100]) {
    const model = withSeed(1, () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [784], units: 32, activation: 'relu' }), tf.layers.dense({ units: 10, activation: 'softmax' })] }));
    const rec = await train(model, tf.train.sgd(0.1), spec, x, y, { epochs: 10, batchSize, seed: 1, shuffle: true, maxSnapshots: 2 });
    const c = await curvatureAt(model, spec, { x, y }, rec.thetaT, { k: 1, seed: 1, hutchinsonSamples: 50, traceError: 0.03 });
    sharp[batchSize] = { lambda: c.eigenvalues[0], trace: c.trace, se: c.traceSE };
    console.log(`batch ${batchSize}: λ_max ${c.eigenvalues[0].toFixed(3)} (residual ${c.residuals[0].toExponential(1)}), trace ${c.trace.toFixed(2)} ± ${c.traceSE.toFixed(2)}, J ${c.loss.toFixed(4)}`);
  }
  tf.dispose([x, y]);
  assert.ok(sharp[100].lambda > sharp[32].lambda, 'top eigenvalue');
  assert.ok(sharp[100].trace - sharp[32].trace > 4 * Math.hypot(sharp[100].se, sharp[32].se), 'trace, beyond its errors');
});
