/**
 * A network trained in PyTorch, probed here. export.py (run with python3-torch) trained a small
 * CNN with BatchNorm on the same 2,000 MNIST digits and wrote cnn.onnx (torch.onnx.export) and
 * checkpoints/step-NNNN.safetensors (its state_dict at PyTorch's initialization and every 16 steps).
 *
 * - interpolate: from PyTorch's initialization (the first checkpoint) to the trained weights
 * - plane: the checkpoints are the training path drawn on the plane
 * - curvature: the Hessian at the trained weights
 * Images come as [n, 28, 28, 1] (NHWC); the graph's input is NCHW and the executor transposes.
 */
import * as tf from '@tensorflow/tfjs';
import { landscape, datasets, models } from 'loss-landscape';

const data = () => datasets.mnist({ train: 2000, test: 500, flatten: false, labels: 'sparse' });

export const cnn = landscape({
  data,
  model: models.onnx('./cnn.onnx'),
  checkpoints: models.checkpoints('./checkpoints'),
  loss: 'crossEntropy',
  probe: { grid: 21 },
});

/** The same architecture at a fresh PyTorch initialization, trained here by TF.js (every analysis, survey included). */
export const fromScratch = landscape({
  data,
  model: models.onnx('./cnn.onnx', { weights: 'init' }),
  loss: 'crossEntropy',
  optimizer: () => tf.train.sgd(0.05),
  epochs: 2,
  batchSize: 64,
  probe: { grid: 21 },
});

/** The same network written in TF.js (to measure what running the ONNX graph costs). */
export const tfjsTwin = landscape({
  data,
  model: () => tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, padding: 'same' }),
    tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }), tf.layers.reLU(), tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }),
    tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }), tf.layers.reLU(), tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(), tf.layers.dense({ units: 10 })] }),
  loss: 'crossEntropy',
  optimizer: () => tf.train.sgd(0.05),
  epochs: 2,
  batchSize: 64,
  probe: { grid: 21 },
});
