/**
 * The wasm Tile fast path (src/backends/wasm/fast-tile.ts: one row tiled along the leading axes,
 * as BatchNorm's gradient does) equals the cpu backend; other tilings still go to the stock kernel
 * and agree too; a BatchNorm training gradient agrees with cpu.
 */
import { test, before } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backends';
import { randT, sameOutputs } from './same-outputs';

const sameOnCpuAndWasm = (name: string, f: () => tf.Tensor | tf.Tensor[], tol = 1e-4) =>
  sameOutputs(name, f, () => tf.setBackend('cpu'), () => tf.setBackend('wasm'), 'cpu', tol);

before(async () => { await initBackend('wasm'); });

test('Tile on wasm equals cpu: rows tiled along leading axes (fast path) and other tilings', async () => {
  await sameOnCpuAndWasm('tile', () => [
    tf.tile(randT([1, 1, 1, 7], 1), [4, 5, 6, 1]), tf.tile(randT([1, 3], 2), [5, 1]), tf.tile(randT([9], 3), [1]),
    tf.tile(randT([1, 1, 4], 4), [1, 3, 1]), tf.tile(randT([2, 3], 5), [2, 2]), tf.tile(randT([1, 3], 6), [2, 3]),
    tf.tile(randT([1, 1, 5], 7), [0, 2, 1]),
  ]);
});

test('BatchNorm gradients in training mode on wasm equal cpu', async () => {
  await sameOnCpuAndWasm('batchnorm grads', () => {
    const x = randT([4, 5, 6, 3], 10), dy = randT([4, 5, 6, 3], 11);
    const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.sum(tf.mul(tf.batchNorm(x, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3), dy)) as tf.Scalar;
    };
    return tf.grads(f)([x, randT([3], 12), randT([3], 13)]);
  });
});
