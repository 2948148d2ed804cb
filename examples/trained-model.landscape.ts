/**
 * Probing a model trained elsewhere — no training here. `trained/` holds what a plain
 * `model.fit()` script wrote (scripts/make-trained-example.ts): the final model
 * (model.json + weights.bin, as `model.save()` writes it), a checkpoint every 4 epochs written by
 * `models.checkpointCallback('./checkpoints')`, and the CSV it was trained on.
 *
 * - interpolate: from the first checkpoint (the initial weights) to the loaded weights
 * - plane: the checkpoints are the path drawn on the goodfellow and pca planes
 * - curvature: the Hessian at the loaded weights
 * survey / compare / connect need a training run and say so.
 */
import { landscape, datasets, models } from 'loss-landscape';

export const petals = landscape({
  // paths are relative to this file; 20 % of the rows (a fixed, seeded choice) are the test set
  data: () => datasets.csv('./trained/petals.csv', { label: 'petal', oneHot: true }),
  model: models.load('./trained/model.json'),
  checkpoints: models.checkpoints('./trained/checkpoints'),
  loss: 'categoricalCrossentropy',
  probe: { grid: 31, directions: 'pca' },
});

/** The same saved model without its checkpoints: θ₀ is a fresh (seeded) initialization of its architecture. */
export const fromScratch = landscape({
  data: () => datasets.csv('./trained/petals.csv', { label: 'petal', oneHot: true }),
  model: models.load('./trained/model.json'),
  loss: 'categoricalCrossentropy',
  seed: 1,
});
