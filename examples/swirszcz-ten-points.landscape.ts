/**
 * Swirszcz, Czarnecki & Pascanu (2016): a tiny dataset that deadlocks a 2-2-1 sigmoid network.
 * `datasets.tenPoints()` has 10 points labelled 1 inside the band 0.5 < x₁ + x₂ < 1.5; the
 * point `inits.tenPointsSolution` exhibits (two steep units at the band's edges) has a loss
 * below 10⁻³. From random initializations gradient descent often ends far worse, fitting only
 * one edge of the band.
 *
 * Survey (CLI: --analysis survey): 'default' runs from 20 seeds; 'exhibited' starts at the
 * exhibited point and stays there. Our stuck rate and the barrier between the best and a stuck
 * run are in examples/README.md.
 */
import * as tf from '@tensorflow/tfjs';
import { landscape, datasets, inits } from 'loss-landscape';

export const tenPoints = landscape({
  data: () => datasets.tenPoints(),
  model: () =>
    tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [2], units: 2, activation: 'sigmoid' }),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] }),
  loss: 'meanSquaredError',
  optimizer: () => tf.train.sgd(5),
  epochs: 600,
  batchSize: 10,
  seed: 1,
  metrics: 'accuracy',
  survey: { runs: 20, inits: { exhibited: inits.tenPointsSolution } },
});
