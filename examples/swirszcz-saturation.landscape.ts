/**
 * Swirszcz, Czarnecki & Pascanu (2016): saturated sigmoid units. `inits.saturating()` starts
 * every hidden sigmoid unit at ≈ 1 on every data point (biases +8): their derivative is
 * < 4·10⁻⁴ there, the first layer gets no gradient, and the network can only learn the class
 * prior (loss ≈ log 2) on a problem the default initialization solves.
 *
 * Run the survey (CLI: --analysis survey): 'default' runs solve it, 'saturating' runs are all
 * stuck with every hidden unit saturated. See examples/README.md for our numbers.
 */
import * as tf from '@tensorflow/tfjs';
import { landscape, datasets, inits } from 'loss-landscape';

export const saturation = landscape({
  data: () => datasets.separable(),
  model: () =>
    tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [2], units: 4, activation: 'sigmoid' }),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] }),
  loss: 'binaryCrossentropy',
  optimizer: () => tf.train.sgd(2),
  epochs: 400,
  batchSize: 40,
  seed: 1,
  survey: { runs: 10, inits: { saturating: inits.saturating() } },
});
