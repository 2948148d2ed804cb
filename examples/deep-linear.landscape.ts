/**
 * The cartoon of Goodfellow, Vinyals & Saxe (2015), section 4: a deep linear "network" with two
 * scalar parameters, y = w₂·w₁·x, trained on y = 2x. Its loss J(w₁, w₂) = mean (w₂w₁x − 2x)²
 * has a saddle point at the origin and two valleys of solutions on the hyperbola w₁w₂ = 2.
 * Started near the saddle, SGD first crawls away from it and then falls into a valley; the
 * straight line from θ₀ to θ_T still shows no barrier. Click "plane" to see all of it.
 */
import * as tf from '@tensorflow/tfjs';
import { landscape } from 'loss-landscape';

const xs = [-1, -0.5, 0.25, 0.5, 1, 1.5];

export const deepLinear = landscape({
  data: { x: xs.map((v) => [v]), y: xs.map((v) => [2 * v]) },
  model: () =>
    tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [1], units: 1, useBias: false,
          kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.05, seed: 3 }) }),
        tf.layers.dense({ units: 1, useBias: false,
          kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.05, seed: 4 }) }),
      ],
    }),
  loss: 'meanSquaredError',
  optimizer: () => tf.train.sgd(0.05),
  epochs: 60,
  batchSize: 6,
  seed: 1,
  probe: { alphaRange: [-0.5, 1.5], grid: 41 },
});
