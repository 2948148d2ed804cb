/**
 * Compare runs: the MNIST MLP trained from the same initialization by SGD with two learning
 * rates, SGD with momentum and Adam. Run the compare analysis (palette, or CLI
 * `--analysis compare`): every θ₀ → θ_T curve on one chart, every training path on the plane
 * of the first run.
 */
import * as tf from '@tensorflow/tfjs';
import { landscape, datasets } from 'loss-landscape';

export const optimizers = landscape({
  data: () => datasets.mnist({ train: 3000, test: 1000 }),
  model: () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [784], units: 64, activation: 'relu' }),
    tf.layers.dense({ units: 10, activation: 'softmax' })] }),
  loss: 'categoricalCrossentropy',
  optimizer: () => tf.train.sgd(0.1),
  epochs: 3,
  batchSize: 32,
  seed: 1,
  compare: {
    'sgd 0.02': { optimizer: () => tf.train.sgd(0.02) },
    'momentum 0.9': { optimizer: () => tf.train.momentum(0.02, 0.9) },
    'adam 1e-3': { optimizer: () => tf.train.adam(0.001) },
  },
  probe: { points: 21, grid: 21 },
});
