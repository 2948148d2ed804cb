/**
 * The permutation symmetry of a network's hidden units (Ainsworth, Hayase & Srinivasa 2022, "Git
 * Re-Basin", §2): reordering the output units of a hidden layer — the last axis of its kernel, its
 * bias, the BatchNorm that follows (γ, β, moving mean and variance) — and the input axis of the
 * next weight layer the same way leaves the function unchanged. Each hidden layer is one
 * permutation group; `permutationSpec` finds the groups of a tf.sequential stack of Dense, Conv1D
 * and Conv2D layers with BatchNormalization, activations, dropout, pooling and Flatten between
 * them (a Flatten after a convolution ties the channels of every position: the next kernel's
 * input index is position·C + channel). `permuteParams` applies permutations to a flat θ (and to
 * the non-trainable state).
 *
 * A permutation `perm` of a group of n units maps position i of the permuted network to unit
 * perm[i] of the original: W'[…, i, …] = W[…, perm[i], …] along each axis of the group.
 */
import * as tf from '@tensorflow/tfjs';
import { paramLayout, stateLayout, type ParamLayout } from '../params';

/** One axis of one weight that a group permutes; along it, unit = index mod n (n the group's size). */
export interface AxisUse { entry: number; axis: number }

export interface PermGroup {
  /** The layer whose output units these are (e.g. 'dense_Dense1'). */
  name: string;
  size: number;
  /** Axes of trainable weights (indices into the parameter layout's entries). */
  uses: AxisUse[];
  /** Axes of non-trainable state (BatchNorm moving statistics; indices into the state layout). */
  stateUses: AxisUse[];
  /** Index into model.layers of the layer whose output holds these units after their BatchNorm and activation. */
  outputLayer: number;
}

export interface PermutationSpec {
  groups: PermGroup[];
  layout: ParamLayout;
  state: ParamLayout;
}

/** A model whose units cannot be permuted here: the message names the layer. */
export class AlignmentError extends Error {}

const WEIGHT_LAYERS = new Set(['Dense', 'Conv1D', 'Conv2D']);
/** Layers that act on each unit (channel) separately: the units pass through them. */
const PER_UNIT = new Set(['Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax', 'ThresholdedReLU', 'Dropout', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout',
  'MaxPooling1D', 'MaxPooling2D', 'AveragePooling1D', 'AveragePooling2D', 'ZeroPadding2D', 'Cropping2D', 'UpSampling2D', 'SpatialDropout1D']);
const GLOBAL_POOL = new Set(['GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D']);

const role = (v: tf.LayerVariable) => { const n = v.originalName ?? v.name; return n.slice(n.lastIndexOf('/') + 1).replace(/_\d+$/, ''); };

/** The permutation groups of a Sequential stack (throws AlignmentError for what it cannot permute). */
export function permutationSpec(model: tf.LayersModel): PermutationSpec {
  if (!(model instanceof tf.Sequential)) {
    throw new AlignmentError('alignment needs a tf.sequential model (functional models, e.g. with residual connections, are not aligned yet)');
  }
  const layout = paramLayout(model), state = stateLayout(model);
  const index = (l: ParamLayout, v: tf.LayerVariable) => l.entries.findIndex((e) => e.name === v.name);
  const layers = model.layers;
  const lastWeight = layers.reduce((last, l, i) => (WEIGHT_LAYERS.has(l.getClassName()) ? i : last), -1);
  const groups: PermGroup[] = [];
  let current: PermGroup | undefined; // the group of the units flowing between layers (none: the input)
  for (const [i, layer] of layers.entries()) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as { dataFormat?: string; axis?: number | number[] };
    if (cfg.dataFormat && cfg.dataFormat !== 'channelsLast') throw new AlignmentError(`alignment needs channelsLast data (layer '${layer.name}' is ${cfg.dataFormat})`);
    if (WEIGHT_LAYERS.has(cls)) {
      const kernel = layer.weights.find((w) => role(w) === 'kernel'), bias = layer.weights.find((w) => role(w) === 'bias');
      if (!kernel || !kernel.trainable || (bias && !bias.trainable)) throw new AlignmentError(`layer '${layer.name}': alignment needs trainable weights`);
      const k = index(layout, kernel), rank = kernel.shape.length;
      if (current) current.uses.push({ entry: k, axis: rank - 2 });
      if (i === lastWeight) { current = undefined; continue; } // the outputs are the network's: never permuted
      current = { name: layer.name, size: kernel.shape[rank - 1]!, uses: [{ entry: k, axis: rank - 1 }], stateUses: [], outputLayer: i };
      if (bias) current.uses.push({ entry: index(layout, bias), axis: 0 });
      groups.push(current);
    } else if (cls === 'BatchNormalization') {
      const axis = Array.isArray(cfg.axis) ? cfg.axis : [cfg.axis ?? -1];
      if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== (layer.input as tf.SymbolicTensor).shape.length - 1)) throw new AlignmentError(`layer '${layer.name}': alignment needs BatchNormalization over the last axis`);
      if (!current) throw new AlignmentError(`layer '${layer.name}': a BatchNormalization of the inputs is not aligned (nothing to permute before it)`);
      for (const w of layer.weights) {
        if (w.trainable) current.uses.push({ entry: index(layout, w), axis: 0 });
        else current.stateUses.push({ entry: index(state, w), axis: 0 });
      }
      current.outputLayer = i;
    } else if (PER_UNIT.has(cls) || cls === 'Flatten' || GLOBAL_POOL.has(cls) || cls === 'InputLayer') {
      if (layer.weights.length) throw new AlignmentError(`layer '${layer.name}' (${cls}) has weights alignment does not know`);
      if (current && PER_UNIT.has(cls)) current.outputLayer = i;
      // Flatten: the units stay the last (fastest) index of each position, so unit = index mod n
    } else if (current || layer.weights.length) {
      throw new AlignmentError(`alignment does not know how to permute through layer '${layer.name}' (${cls})`);
    }
  }
  if (groups.length === 0) throw new AlignmentError('the model has no hidden Dense or convolution layer: nothing to align');
  return { groups, layout, state };
}

/**
 * out[…, i, …] = x[…, src(i), …] along `axis` of `shape`, where src(i) = i − (i mod n) + perm[i mod n]
 * (a Flatten before the layer repeats the n units once per position).
 */
export function permuteAxis(x: Float32Array, shape: number[], axis: number, perm: ArrayLike<number>, out = new Float32Array(x.length)): Float32Array {
  const n = perm.length, len = shape[axis];
  if (len % n !== 0) throw new Error(`axis ${axis} of [${shape}] (${len}) is not a multiple of the ${n} units permuted`);
  const after = shape.slice(axis + 1).reduce((a, b) => a * b, 1), before = x.length / (len * after);
  for (let b = 0; b < before; b++) {
    for (let a = 0; a < len; a++) {
      const src = a - (a % n) + perm[a % n];
      const o = (b * len + a) * after, s = (b * len + src) * after;
      for (let c = 0; c < after; c++) out[o + c] = x[s + c];
    }
  }
  return out;
}

/** A flat vector with each group's permutation applied to its axes (`which`: θ or the state). */
export function permuteFlat(spec: PermutationSpec, flat: Float32Array, perms: ArrayLike<number>[], which: 'params' | 'state' = 'params'): Float32Array {
  const layout = which === 'params' ? spec.layout : spec.state;
  const out = flat.slice();
  spec.groups.forEach((g, k) => {
    for (const u of which === 'params' ? g.uses : g.stateUses) {
      const e = layout.entries[u.entry];
      const view = out.subarray(e.offset, e.offset + e.size);
      view.set(permuteAxis(view, e.shape, u.axis, perms[k]));
    }
  });
  return out;
}

/** θ and state of the permuted network (the same function as the original). */
export function permuteParams(spec: PermutationSpec, theta: Float32Array, stateVec: Float32Array, perms: ArrayLike<number>[]): { theta: Float32Array; state: Float32Array } {
  return { theta: permuteFlat(spec, theta, perms, 'params'), state: permuteFlat(spec, stateVec, perms, 'state') };
}

export const identityPerm = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

/**
 * Weight `x` (of `shape`) as a [n, R] matrix whose row i holds every value of unit i along `axis`
 * (unit = index mod n), the other indices in a fixed order (the same for two weights of one shape).
 */
export function unitRows(x: Float32Array, shape: number[], axis: number, n: number): Float32Array {
  const len = shape[axis], reps = len / n;
  const after = shape.slice(axis + 1).reduce((a, b) => a * b, 1), before = x.length / (len * after);
  const R = x.length / n, out = new Float32Array(x.length);
  for (let b = 0; b < before; b++) {
    for (let a = 0; a < len; a++) {
      const unit = a % n, rep = (a - unit) / n;
      const o = unit * R + (b * reps + rep) * after, s = (b * len + a) * after;
      for (let c = 0; c < after; c++) out[o + c] = x[s + c];
    }
  }
  return out;
}
