/**
 * Training steps for a stack of Dense layers on the BLAS, without TF.js's autodiff
 * (./train.ts), used by train() when the model, loss, optimizer and backend
 * allow it; `denseStackPlan` says why not otherwise, and train() keeps TF.js's step.
 *
 * Qualifies: a tf.Sequential of Dense layers (Flatten and InputLayer allowed between them) on
 * rank-2 activations, activations linear / relu / sigmoid / tanh (softmax on the last layer),
 * no regularizers or constraints, every weight trainable; a built-in loss
 * (categoricalCrossentropy, sparseCategoricalCrossentropy, meanSquaredError); plain
 * tf.SGDOptimizer; float32 data; the BLAS path on (wasm backend). LOSS_LANDSCAPE_DENSE_TRAIN=off
 * turns it off.
 * Why: a step of the 784-1024-1024-10 MLP spent ≈ 40 % of its time in TF.js's per-op dispatch
 * and tape bookkeeping, and its products ran at a third of the BLAS's speed between the
 * gradient, update and snapshot passes over 7.5 MB of weights (bench/results.md, "What bounds
 * our time", before this path).
 */
import * as tf from '@tensorflow/tfjs';
import { backendCapabilities } from '../../backends';
import type { DenseActivation, DenseLayerSpec, DenseLoss } from './maths';
import type { LossSpec } from '../losses';
import { ParamLayout } from '../params';
import { setting } from '../../shared/switchboard';

export interface DenseStackPlan {
  layers: DenseLayerSpec[];
  loss: DenseLoss;
}

const LOSSES = new Set<string>(['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'meanSquaredError']);
const ACTIVATIONS = new Set<string>(['linear', 'relu', 'sigmoid', 'tanh', 'softmax']);

/** Plain SGD (not a subclass such as Momentum), whose update is θ ← θ − lr·g. */
export function isPlainSgd(optimizer: tf.Optimizer): boolean {
  return optimizer instanceof tf.SGDOptimizer && optimizer.constructor === tf.SGDOptimizer;
}

interface DenseLike extends tf.layers.Layer {
  units: number;
  kernel: tf.LayerVariable | null;
  bias: tf.LayerVariable | null;
}

/** The plan for the BLAS steps, or why the model is trained by TF.js's autodiff. */
export function denseStackPlan(model: tf.LayersModel, spec: LossSpec, optimizer: tf.Optimizer, layout: ParamLayout,
  x: tf.Tensor, y: tf.Tensor): { plan: DenseStackPlan } | { reason: string } {
  if (!setting('DENSE_TRAIN')) return { reason: 'turned off by LOSS_LANDSCAPE_DENSE_TRAIN' };
  if (!isPlainSgd(optimizer)) return { reason: `the optimizer is not plain SGD (${optimizer.getClassName()})` };
  return denseModelPlan(model, spec, layout, x, y);
}

/**
 * The model, loss and data as a Dense stack the BLAS code can run (training steps, Hessian-vector
 * products), or why not. Needs the BLAS path on.
 */
export function denseModelPlan(model: tf.LayersModel, spec: LossSpec, layout: ParamLayout,
  x: tf.Tensor, y: tf.Tensor): { plan: DenseStackPlan } | { reason: string } {
  if (!backendCapabilities().densePaths) return { reason: 'the BLAS path is off' };
  if (!spec.builtin || !LOSSES.has(spec.builtin)) return { reason: `loss ${spec.name}` };
  if (!(model instanceof tf.Sequential)) return { reason: 'not a tf.Sequential model' };
  if (x.dtype !== 'float32') return { reason: `x is ${x.dtype}` };
  if (model.nonTrainableWeights.length > 0) return { reason: 'the model has non-trainable weights' };
  const offsets = new Map(layout.entries.map((e, i) => [model.trainableWeights[i], e.offset]));
  let shape: (number | null)[] = model.inputs[0].shape;
  const layers: DenseLayerSpec[] = [];
  let weights = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls === 'InputLayer') continue;
    if (cls === 'Flatten') { shape = [shape[0], shape.slice(1).reduce((a: number, b) => a * (b ?? NaN), 1)]; continue; }
    if (cls !== 'Dense') return { reason: `a ${cls} layer` };
    const d = layer as DenseLike;
    const cfg = d.getConfig();
    const act = String(cfg.activation);
    if (!ACTIVATIONS.has(act)) return { reason: `activation ${act}` };
    if (cfg.kernelRegularizer || cfg.biasRegularizer || cfg.activityRegularizer || cfg.kernelConstraint || cfg.biasConstraint) {
      return { reason: 'a regularizer or constraint' };
    }
    if (shape.length !== 2 || !d.kernel) return { reason: `Dense on rank-${shape.length} inputs` };
    const kernel = offsets.get(d.kernel), bias = d.bias ? offsets.get(d.bias) : -1;
    if (kernel === undefined || bias === undefined) return { reason: 'a weight not trainable' };
    const [inputs, units] = d.kernel.shape as number[];
    if (shape[1] !== inputs) return { reason: 'unexpected shapes' };
    layers.push({ inputs, units, activation: act as DenseActivation, kernel, bias });
    weights += d.bias ? 2 : 1;
    shape = [shape[0], units];
  }
  if (layers.length === 0) return { reason: 'no Dense layer' };
  if (weights !== layout.entries.length) return { reason: 'weights outside the Dense layers' };
  if (layers.slice(0, -1).some((l) => l.activation === 'softmax')) return { reason: 'softmax before the last layer' };
  const n = x.shape[0], classes = layers[layers.length - 1].units;
  if (x.size !== n * layers[0].inputs) return { reason: 'x does not match the input layer' };
  const sparse = spec.builtin === 'sparseCategoricalCrossentropy';
  if (y.shape[0] !== n || y.size !== (sparse ? n : n * classes)) return { reason: 'y does not match the output layer' };
  return { plan: { layers, loss: spec.builtin as DenseLoss } };
}
