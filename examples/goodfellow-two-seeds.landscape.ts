/**
 * Goodfellow, Vinyals & Saxe (2015): interpolating between two *solutions* trained from
 * different random initializations. Hidden units can be permuted without changing the
 * function, so two runs land in different (equivalent) basins and the straight line between
 * them crosses a barrier — unlike the line from an initialization to its own solution.
 * `probe.seed2` makes "interpolate" compare θ_T(seed 1) with θ_T(seed 2); the barrier height is
 * in examples/README.md.
 */
import * as tf from '@tensorflow/tfjs';
import { landscape, datasets } from 'loss-landscape';

export const twoSeeds = landscape({
  data: () => datasets.mnist({ train: 5000, test: 1000 }),
  model: () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
    tf.layers.dense({ units: 10, activation: 'softmax' })] }),
  loss: 'categoricalCrossentropy',
  optimizer: () => tf.train.sgd(0.1),
  epochs: 5,
  batchSize: 32,
  seed: 1,
  probe: { seed2: 2 },
});
