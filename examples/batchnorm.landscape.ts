/**
 * BatchNorm-aware probes. This MLP normalizes its hidden layer with batchNormalization. Along
 * the straight line θ₀ → θ_T the moving statistics can either be interpolated like the weights
 * (what a naive probe does) or recomputed at every α on a fixed set of training examples (the
 * `update_bn` step of Garipov et al. 2018). `probe.bn: 'both'` draws both curves; how far they
 * differ is in examples/README.md.
 */
import * as tf from '@tensorflow/tfjs';
import { landscape, datasets } from 'loss-landscape';

export const batchnorm = landscape({
  data: () => datasets.mnist({ train: 5000, test: 1000 }),
  model: () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [784], units: 128, useBias: false }),
    tf.layers.batchNormalization(),
    tf.layers.activation({ activation: 'relu' }),
    tf.layers.dense({ units: 10, activation: 'softmax' })] }),
  loss: 'categoricalCrossentropy',
  optimizer: () => tf.train.sgd(0.1),
  epochs: 3,
  batchSize: 32,
  seed: 1,
  probe: { bn: 'both' },
});
