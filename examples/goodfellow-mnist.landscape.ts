/**
 * Goodfellow, Vinyals & Saxe (2015), section 3: fully connected MNIST networks with ReLU,
 * sigmoid and maxout units, trained by plain SGD. The paper: along the straight line from the
 * initialization to the solution the loss decreases monotonically — "no significant
 * obstacles" — and the 2-D plane through θ₀, θ_T and the SGD path looks like a simple valley,
 * while a random walk with the same step sizes projects to almost nothing on that plane.
 * Our numbers (CLI, default settings) are in examples/README.md.
 */
import * as tf from '@tensorflow/tfjs';
import { landscape, datasets, layers } from 'loss-landscape';

const common = {
  data: () => datasets.mnist({ train: 5000, test: 1000 }),
  loss: 'categoricalCrossentropy' as const,
  epochs: 5,
  batchSize: 32,
  seed: 1,
};

export const relu = landscape({
  ...common,
  model: () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [784], units: 256, activation: 'relu' }),
    tf.layers.dense({ units: 256, activation: 'relu' }),
    tf.layers.dense({ units: 10, activation: 'softmax' })] }),
  optimizer: () => tf.train.sgd(0.1),
});

export const sigmoid = landscape({
  ...common,
  model: () => tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [784], units: 256, activation: 'sigmoid' }),
    tf.layers.dense({ units: 256, activation: 'sigmoid' }),
    tf.layers.dense({ units: 10, activation: 'softmax' })] }),
  optimizer: () => tf.train.sgd(0.5),
});

export const maxout = landscape({
  ...common,
  model: () => tf.sequential({ layers: [
    layers.maxout({ inputShape: [784], units: 128, pieces: 2 }),
    layers.maxout({ units: 128, pieces: 2 }),
    tf.layers.dense({ units: 10, activation: 'softmax' })] }),
  optimizer: () => tf.train.sgd(0.05),
});
