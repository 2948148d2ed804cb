/** Mode connectivity (Garipov et al. 2018) between two MNIST MLPs trained from different seeds. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backends';
import { lossSpec } from '../../src/engine/losses';
import { train } from '../../src/engine/train';
import { connectAnalysis } from '../../src/engine/connect';
import { evaluateModel } from '../../src/engine/evaluate';
import { paramLayout, readParams, writeParams } from '../../src/engine/params';
import { mulberry32 } from '../../src/shared/random';
import { mnist } from '../../src/api/datasets';

before(async () => { await initBackend('wasm'); });

function withSeed<T>(seed: number, fn: () => T): T {
  const orig = Math.random; Math.random = mulberry32(seed);
  try { return fn(); } finally { Math.random = orig; }
}

const mlp = (seed: number) => withSeed(seed, () => tf.sequential({ layers: [
  tf.layers.dense({ inputShape: [784], units: 32, activation: 'relu' }),
  tf.layers.dense({ units: 10, activation: 'softmax' })] }));

test('MNIST MLPs: the straight line has a barrier, the trained Bézier curve does not', async () => {
  const started = Date.now();
  const data = mnist({ train: 2000, test: 500 });
  const trainSet = { x: data.x as tf.Tensor, y: data.y as tf.Tensor };
  const testSet = { x: data.xTest as tf.Tensor, y: data.yTest as tf.Tensor };
  const spec = lossSpec('categoricalCrossentropy', undefined);
  const minima: Float32Array[] = [];
  for (const seed of [1, 2]) {
    const m = mlp(seed);
    const rec = await train(m, tf.train.adam(0.003), spec, trainSet.x, trainSet.y, { epochs: 8, batchSize: 32, seed, shuffle: true, maxSnapshots: 2 });
    minima.push(rec.thetaT);
    m.dispose();
  }
  const endpointsSeconds = (Date.now() - started) / 1000;
  const model = mlp(3);
  const before = await readParams(model);
  const tensorsBefore = tf.memory().numTensors;
  let last = 0;
  const r = await connectAnalysis({ model, spec, layout: paramLayout(model), thetaA: minima[0], thetaB: minima[1],
    train: trainSet, test: testSet, points: 31, epochs: 10, batchSize: 64, lr: 0.003, seed: 1,
    onProgress: (done, total) => { assert.ok(done >= last && done <= total); last = done; } });
  const endMax = Math.max(...r.endpointTestLoss);
  const f = (xs: number[]) => xs.filter((_, i) => i % 5 === 0).map((v) => v.toFixed(3)).join(' ');
  console.log(`endpoints trained in ${endpointsSeconds.toFixed(1)} s; curve trained in ${r.trainSeconds.toFixed(1)} s (epoch means ${r.lossPerEpoch.map((v) => v.toFixed(3)).join(' ')})`);
  console.log(`test loss, t = 0, 1/6, …, 1: line ${f(r.lineTestLoss)} | curve ${f(r.curveTestLoss)}`);
  console.log(`endpoints ${r.endpointTestLoss.map((v) => v.toFixed(4))}; line max ${r.lineMaxTestLoss.toFixed(4)} (×${(r.lineMaxTestLoss / endMax).toFixed(2)}); ` +
    `curve max ${r.curveMaxTestLoss.toFixed(4)} (×${(r.curveMaxTestLoss / endMax).toFixed(3)}); total ${((Date.now() - started) / 1000).toFixed(1)} s`);

  assert.equal(r.t.length, 31); assert.equal(r.t[0], 0); assert.equal(r.t[30], 1);
  assert.ok(r.lineMaxTestLoss > 1.5 * endMax, `line barrier: max ${r.lineMaxTestLoss} vs endpoints ${r.endpointTestLoss}`);
  assert.ok(r.curveMaxTestLoss <= 1.1 * endMax, `curve: max ${r.curveMaxTestLoss} vs endpoints ${r.endpointTestLoss}`);
  // the curve and the line share their endpoints, which are the two trained models
  for (const [i, theta] of [[0, minima[0]], [30, minima[1]]] as const) {
    assert.ok(Math.abs(r.curveTestLoss[i] - r.lineTestLoss[i]) < 1e-5, `curve and line at t=${r.t[i]}`);
    writeParams(model, theta);
    const m = await evaluateModel(model, spec, testSet);
    assert.ok(Math.abs(m.loss - r.lineTestLoss[i]) < 1e-5 * Math.max(1, m.loss), `endpoint ${i}: ${m.loss} vs ${r.lineTestLoss[i]}`);
  }
  writeParams(model, before);
  assert.equal(last, 62 + 10 * Math.ceil(2000 / 64), 'progress reached its total');
  assert.equal(tf.memory().numTensors, tensorsBefore, "no tensors leaked");
  // weights restored by connectAnalysis itself
  const model2 = mlp(4), w2 = await readParams(model2);
  await connectAnalysis({ model: model2, spec, layout: paramLayout(model2), thetaA: minima[0], thetaB: minima[1], train: trainSet, points: 5, epochs: 1, seed: 2 });
  assert.deepEqual(Array.from(await readParams(model2)), Array.from(w2));
});
