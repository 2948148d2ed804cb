/**
 * Regenerates examples/trained/: `npx tsx scripts/make-trained-example.ts` from the repository root.
 * Writes petals.csv (300 points of three interleaved 2-D "petals", a class column), trains a
 * 2-16-3 tanh MLP on it with plain `model.fit()` — the way a user's own training script would —
 * with `models.checkpointCallback` saving the weights every 2 epochs under checkpoints/, and
 * saves the final model as model.json + weights.bin with `models.fileIO`. The definition in
 * examples/trained-model.landscape.ts probes what this wrote, without training.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointCallback, fileIO } from '../src/api/models';
import { csv } from '../src/api/workspace-data';
import { mulberry32 } from '../src/shared/random';

// LL_TRAINED_DIR: write elsewhere (the e2e test trains into its workspace)
const here = process.env.LL_TRAINED_DIR ?? join(__dirname, '..', 'examples', 'trained');
const rng = mulberry32(2024);
mkdirSync(here, { recursive: true });
const rows: string[] = ['x1,x2,petal'];
for (let i = 0; i < 300; i++) {
  const c = i % 3, t = rng();
  const angle = (2 * Math.PI * c) / 3 + 1.2 * t + 0.25 * (rng() - 0.5);
  const r = 0.2 + 0.8 * t;
  const p = [r * Math.cos(angle), r * Math.sin(angle)];
  rows.push(`${p[0].toFixed(4)},${p[1].toFixed(4)},${['north', 'west', 'south'][c]}`);
}
writeFileSync(join(here, 'petals.csv'), rows.join('\n') + '\n');

(async () => {
  await tf.setBackend('cpu');
  // the same reading the definition does (csv: classes sorted by name, one-hot)
  const d = csv(join(here, 'petals.csv'), { label: 'petal', oneHot: true });
  Math.random = mulberry32(7);
  const model = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [2], units: 16, activation: 'tanh' }),
    tf.layers.dense({ units: 3, activation: 'softmax' })] });
  model.compile({ loss: 'categoricalCrossentropy', optimizer: tf.train.sgd(0.3) });
  rmSync(join(here, 'checkpoints'), { recursive: true, force: true });
  await model.fit(d.x as tf.Tensor, d.y as tf.Tensor, { epochs: 40, batchSize: 16, verbose: 0,
    callbacks: [checkpointCallback(join(here, 'checkpoints'), { every: 4 })] });
  await model.save(fileIO(here));
  const loss = (model.evaluate(d.x as tf.Tensor, d.y as tf.Tensor) as tf.Scalar).dataSync()[0];
  console.log(`saved: train loss ${loss.toFixed(4)} on ${(d.x as tf.Tensor).shape[0]} examples`);
  console.log(JSON.stringify({ trainLoss: loss, examples: (d.x as tf.Tensor).shape[0] }));
})();
