/**
 * Goodfellow, Vinyals & Saxe (2015): a small convolutional network (the paper used CIFAR-10,
 * which is not reachable here; we use MNIST images 28×28×1). The paper reports, for its conv
 * net, a small barrier near the initialization on the straight path, otherwise a monotone
 * descent. What our run shows is in examples/README.md.
 */
import * as tf from '@tensorflow/tfjs';
import { landscape, datasets } from 'loss-landscape';

export const convnet = landscape({
  data: () => datasets.mnist({ train: 3000, test: 1000, flatten: false }),
  model: () => tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 10, activation: 'softmax' })] }),
  loss: 'categoricalCrossentropy',
  optimizer: () => tf.train.sgd(0.1),
  epochs: 3,
  batchSize: 32,
  seed: 1,
  probe: { examples: 1000, grid: 15 },
});
