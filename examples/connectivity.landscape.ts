/**
 * The connectivity lab: is the barrier between two solutions only the permutation symmetry of
 * their hidden units?
 * - Ainsworth, Hayase & Srinivasa (2022), "Git Re-Basin": align θ_T(seed 2)'s units onto θ_T(seed 1)'s
 *   (weight matching) and the barrier of the straight line nearly vanishes (`rebasin`, 784-512-512-512-10).
 * - Entezari, Sedghi, Saukh & Neyshabur (2022): after alignment the barrier shrinks as the
 *   network widens (`width32`, `width128`, `width512`: one hidden layer).
 * - Frankle, Dziugaite, Roy & Carbin (2020): two copies of θ_k trained with different data orders
 *   end in one linearly connected basin from some k on (`lenet`, LeNet-300-100, --analysis instability).
 * - `convBn`: a conv net with BatchNorm, aligned by weight or activation matching.
 * Numbers in examples/README.md.
 */
import * as tf from '@tensorflow/tfjs';
import { landscape, datasets } from 'loss-landscape';

const mlp = (widths: number[]) => () => tf.sequential({ layers: [
  ...widths.map((units, i) => tf.layers.dense({ ...(i === 0 ? { inputShape: [784] } : {}), units, activation: 'relu' })),
  tf.layers.dense({ units: 10, activation: 'softmax' })] });

const common = {
  data: () => datasets.mnist({ train: 9000, test: 1000 }),
  loss: 'categoricalCrossentropy' as const,
  optimizer: () => tf.train.sgd(0.1),
  batchSize: 64,
  seed: 1,
};

export const rebasin = landscape({
  ...common, model: mlp([512, 512, 512]), epochs: 15,
  probe: { seed2: 2, align: 'weights', points: 21, alphaRange: [0, 1] },
});

const width = (units: number) => landscape({
  ...common, model: mlp([units]), epochs: 15,
  probe: { seed2: 2, align: 'weights', points: 21, alphaRange: [0, 1] },
});
export const width32 = width(32);
export const width128 = width(128);
export const width512 = width(512);

export const lenet = landscape({
  ...common, model: mlp([300, 100]), epochs: 8,
  probe: { spawn: '0,1,2,4', points: 11, examples: 2000 },
});

export const convBn = landscape({
  ...common,
  data: () => datasets.mnist({ train: 4000, test: 1000, flatten: false }),
  model: () => tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu' }),
    tf.layers.batchNormalization(), tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
    tf.layers.batchNormalization(), tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(), tf.layers.dense({ units: 64, activation: 'relu' }),
    tf.layers.dense({ units: 10, activation: 'softmax' })] }),
  epochs: 4,
  probe: { seed2: 2, align: 'weights', bn: 'recompute', points: 11, alphaRange: [0, 1], examples: 1000 },
});
