/**
 * The real networks of the bench (W7–W9), built with TF.js layers; their PyTorch twins are in
 * bench/torch_probe.py (`CNN`, `ResNet`), which map our weights by layer name (the names below).
 *  - cnn: conv3×3×32, conv3×3×32, maxpool, conv3×3×64, conv3×3×64, maxpool, dense 10 on
 *    [n, 28, 28, 1] (valid padding, relu).
 *  - resnet: stem conv3×3×16 + BN + relu; three blocks (conv-BN-relu-conv-BN + shortcut, relu)
 *    at 16, 32 (stride 2, 1×1 projection + BN) and 64 channels (stride 2, projection + BN);
 *    global average pooling; dense 10. 'same' padding, convs without bias (the BN's β is one),
 *    BN with Keras' defaults (ε = 1e-3, momentum 0.99).
 */
import * as tf from '@tensorflow/tfjs';

export function buildCnn(): tf.Sequential {
  const conv = (filters: number, name: string, first = false) => tf.layers.conv2d({
    ...(first ? { inputShape: [28, 28, 1] } : {}), filters, kernelSize: 3, activation: 'relu', name,
  });
  return tf.sequential({ layers: [
    conv(32, 'c1', true), conv(32, 'c2'), tf.layers.maxPooling2d({ poolSize: 2, name: 'p1' }),
    conv(64, 'c3'), conv(64, 'c4'), tf.layers.maxPooling2d({ poolSize: 2, name: 'p2' }),
    tf.layers.flatten({ name: 'flat' }),
    tf.layers.dense({ units: 10, activation: 'softmax', name: 'fc' })] });
}

type Sym = tf.SymbolicTensor;

export function buildResnet(): tf.LayersModel {
  const input = tf.input({ shape: [28, 28, 1] });
  const conv = (x: Sym, filters: number, kernelSize: number, strides: number, name: string) =>
    tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, name }).apply(x) as Sym;
  const bn = (x: Sym, name: string) => tf.layers.batchNormalization({ name }).apply(x) as Sym;
  const relu = (x: Sym, name: string) => tf.layers.reLU({ name }).apply(x) as Sym;
  let h = relu(bn(conv(input, 16, 3, 1, 'stem'), 'stem_bn'), 'stem_relu');
  let channels = 16;
  for (const [i, c, s] of [[1, 16, 1], [2, 32, 2], [3, 64, 2]]) {
    let r = relu(bn(conv(h, c, 3, s, `b${i}_conv1`), `b${i}_bn1`), `b${i}_relu1`);
    r = bn(conv(r, c, 3, 1, `b${i}_conv2`), `b${i}_bn2`);
    const shortcut = s === 1 && c === channels ? h : bn(conv(h, c, 1, s, `b${i}_proj`), `b${i}_projbn`);
    h = relu(tf.layers.add({ name: `b${i}_add` }).apply([r, shortcut]) as Sym, `b${i}_relu2`);
    channels = c;
  }
  h = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(h) as Sym;
  const out = tf.layers.dense({ units: 10, activation: 'softmax', name: 'fc' }).apply(h) as Sym;
  return tf.model({ inputs: input, outputs: out });
}
