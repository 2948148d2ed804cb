/**
 * The Dense stacks every differential test of the Dense engine tries (dense-train, dense-eval,
 * dense-hvp against TF.js): one table, so every case runs on every path — each activation, each
 * loss, Flatten, a layer without bias, int32 labels, a saturated softmax.
 */
import * as tf from '@tensorflow/tfjs';
import type { Loss } from '../../src/api/types';
import { readParams, writeParams } from '../../src/engine/params';
import { rand, randT } from './same-outputs';

export interface DenseCase {
  name: string;
  loss: Loss;
  model(): tf.LayersModel;
  /** `n` examples: x, and y as the loss wants it (one-hot, targets, or int32 classes). */
  data(n: number, seed: number): { x: tf.Tensor; y: tf.Tensor };
  /** θ set after the model is built (the saturated case); else the initializer's. */
  saturate?: boolean;
  /** Why a path does not take this case (it keeps TF.js there), if one does not. */
  notOn?: { eval?: string };
}

const labels = (n: number, k: number, seed: number) => tf.tensor1d(Array.from({ length: n }, (_, i) => (i * 7 + seed) % k), 'int32');
const oneHot = (n: number, k: number, seed: number) => tf.tidy(() => tf.oneHot(labels(n, k, seed), k).toFloat());

export const DENSE_CASES: DenseCase[] = [
  {
    name: 'relu → relu → softmax, categorical cross-entropy',
    loss: 'categoricalCrossentropy',
    model: () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [20], units: 33, activation: 'relu' }),
      tf.layers.dense({ units: 17, activation: 'relu' }),
      tf.layers.dense({ units: 4, activation: 'softmax' })] }),
    data: (n, seed) => ({ x: randT([n, 20], seed), y: oneHot(n, 4, seed) }),
  },
  {
    name: 'sigmoid → tanh (no bias) → linear, mean squared error',
    loss: 'meanSquaredError',
    model: () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [9], units: 11, activation: 'sigmoid' }),
      tf.layers.dense({ units: 7, activation: 'tanh', useBias: false }),
      tf.layers.dense({ units: 3 })] }),
    data: (n, seed) => ({ x: randT([n, 9], seed), y: randT([n, 3], seed + 100) }),
  },
  {
    name: 'Flatten, relu → relu → softmax, sparse categorical cross-entropy on int32 labels',
    loss: 'sparseCategoricalCrossentropy',
    model: () => tf.sequential({ layers: [
      tf.layers.flatten({ inputShape: [3, 4, 1] }),
      tf.layers.dense({ units: 10, activation: 'relu' }),
      tf.layers.dense({ units: 8, activation: 'relu' }),
      tf.layers.dense({ units: 5, activation: 'softmax' })] }),
    data: (n, seed) => ({ x: randT([n, 3, 4, 1], seed), y: labels(n, 5, seed) }),
    notOn: { eval: 'the evaluator\'s BLAS path starts from the first-layer trick, which needs a Dense first layer' },
  },
  {
    name: 'tanh → sigmoid outputs, categorical cross-entropy (normalised by their sum)',
    loss: 'categoricalCrossentropy',
    model: () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [6], units: 8, activation: 'tanh' }), tf.layers.dense({ units: 3, activation: 'sigmoid' })] }),
    data: (n, seed) => ({ x: randT([n, 6], seed), y: oneHot(n, 3, seed) }),
  },
  {
    name: 'a linear first layer → softmax, sparse categorical cross-entropy',
    loss: 'sparseCategoricalCrossentropy',
    model: () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [6], units: 10 }), tf.layers.dense({ units: 5, activation: 'softmax' })] }),
    data: (n, seed) => ({ x: randT([n, 6], seed), y: labels(n, 5, seed) }),
  },
  {
    name: 'saturated softmax: probabilities clipped at 1 − ε (no gradient, no curvature through the clip)',
    loss: 'categoricalCrossentropy',
    model: () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [10], units: 3, activation: 'softmax' })] }),
    data: (n, seed) => ({ x: randT([n, 10], seed), y: oneHot(n, 3, seed) }),
    saturate: true,
  },
];

/** The case's model, θ saturated where the case says so (large weights: most rows have a probability clipped at 1 − ε). */
export async function buildCase(c: DenseCase): Promise<tf.LayersModel> {
  const model = c.model();
  if (c.saturate) {
    const theta = await readParams(model);
    theta.set(rand(theta.length, 77, -40, 40));
    writeParams(model, theta);
  }
  return model;
}
