/**
 * A ReLU multilayer perceptron on 5,000 real MNIST digits, trained by plain SGD.
 *
 * Goodfellow, Vinyals & Saxe (2015) saw, for networks like this one, that the loss decreases
 * monotonically along the straight line from the initialization θ₀ (α = 0) to the solution θ_T
 * (α = 1): "no significant obstacles". Click "interpolate" above the definition to check it,
 * or "plane" to see the plane through θ₀, θ_T and the SGD path.
 */
import * as tf from '@tensorflow/tfjs';
import { landscape, datasets } from 'loss-landscape';

export const mlp = landscape({
  data: () => datasets.mnist({ train: 5000, test: 1000 }),
  model: () =>
    tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    }),
  loss: 'categoricalCrossentropy',
  optimizer: () => tf.train.sgd(0.1),
  epochs: 5,
  batchSize: 32,
  seed: 1,
});
