/** Instability's building blocks: θ captured at a step = a training stopped there; spawn lists parsed. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backends';
import { lossSpec } from '../../src/engine/losses';
import { train } from '../../src/engine/train';
import { mulberry32 } from '../../src/shared/random';
import { parseSpawn, validateOptions } from '../../src/shared/options';

before(async () => { await initBackend('wasm'); });

function withSeed<T>(seed: number, fn: () => T): T {
  const orig = Math.random; Math.random = mulberry32(seed);
  try { return fn(); } finally { Math.random = orig; }
}

const net = () => withSeed(4, () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 5, activation: 'tanh' }), tf.layers.dense({ units: 2, activation: 'softmax' })] }));

test('train: θ captured after step k equals a training stopped at step k (maxSteps)', async () => {
  const rng = mulberry32(9);
  const x = tf.tensor2d(Array.from({ length: 40 * 3 }, () => rng() * 2 - 1), [40, 3]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: 40 }, () => (rng() < 0.5 ? 0 : 1)), 'int32'), 2);
  const spec = lossSpec('categoricalCrossentropy', 'accuracy');
  const a = net();
  const full = await train(a, tf.train.sgd(0.2), spec, x, y, { epochs: 3, batchSize: 8, seed: 3, shuffle: true, captureAt: [7, 12] });
  assert.deepEqual(full.captured!.map((c) => c.step), [7, 12]);
  assert.equal(full.steps, 15);
  const b = net();
  const stopped = await train(b, tf.train.sgd(0.2), spec, x, y, { epochs: 2, batchSize: 8, seed: 3, shuffle: true, maxSteps: 7 });
  assert.equal(stopped.steps, 7);
  assert.equal(stopped.lossPerEpoch.length, 2);
  assert.deepEqual(Array.from(stopped.thetaT), Array.from(full.captured![0].theta));
  assert.notDeepEqual(Array.from(full.captured![1].theta), Array.from(full.captured![0].theta));
  tf.dispose([x, y]); a.dispose(); b.dispose();
});

test('spawn lists: epochs, steps with a suffix s, and a clear message otherwise', () => {
  assert.deepEqual(parseSpawn('0, 2,100s'), [{ label: '0', unit: 'epoch', value: 0 }, { label: '2', unit: 'epoch', value: 2 }, { label: '100s', unit: 'step', value: 100 }]);
  assert.match(parseSpawn('1,-2') as string, /'-2' is not an epoch/);
  assert.deepEqual(validateOptions({ spawn: '0,5' }, 'definition'), []);
  assert.match(validateOptions({ spawn: '' }, 'definition')[0], /probe\.spawn needs a comma list/);
  assert.match(validateOptions({ align: 'both' }, 'settings')[0], /lossLandscape\.align must be one of weights, activations, none/);
});
