/**
 * Swirszcz, Czarnecki & Pascanu (2016): ReLU "blind spots". On a finite dataset, a narrow ReLU
 * layer whose units all start inactive on part of the data passes that part no gradient, and
 * training stops in a bad local minimum. `datasets.blindSpot()` documents the construction:
 * two clusters whose targets need hidden units active on both sides.
 *
 * The paper: bad local minima exist for finite data and need assumptions on data and
 * initialization to be excluded. Our run (CLI: --analysis survey --runs 20): see
 * examples/README.md for the measured stuck rates; the narrow 2-2-1 net gets stuck in a good
 * share of seeds (dead units on one cluster), the 2-32-1 net on the same data almost never.
 */
import * as tf from '@tensorflow/tfjs';
import { landscape, datasets } from 'loss-landscape';

const net = (units: number) => () =>
  tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [2], units, activation: 'relu' }),
    tf.layers.dense({ units: 1 }),
  ] });

const common = {
  data: () => datasets.blindSpot(),
  loss: 'meanSquaredError' as const,
  optimizer: () => tf.train.sgd(0.05),
  epochs: 300,
  batchSize: 16,
  seed: 1,
  survey: { runs: 20 },
};

export const narrow = landscape({ ...common, model: net(2) });

export const wide = landscape({ ...common, model: net(32) });
