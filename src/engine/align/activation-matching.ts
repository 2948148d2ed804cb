/**
 * Activation matching (Ainsworth, Hayase & Srinivasa 2022, §3.1): each hidden layer's units of
 * θ_B are matched to θ_A's by what they compute on a batch of inputs — the permutation
 * maximizing Σ_i ⟨Z_A[:, i], Z_B[:, perm[i]]⟩ (= minimizing ‖Z_A − Z_B P‖²), Z the layer's
 * outputs after its BatchNorm and activation over the batch (every position of a convolution's
 * feature map counts as an example). B's activations do not depend on its permutation, so each
 * layer is one linear assignment (`linear-sum-assignment`), no iteration.
 */
import * as tf from '@tensorflow/tfjs';
import { readParams, readState, writeParams, writeState } from '../params';
import type { PermutationSpec } from './permute';
import { assignMax } from './weight-matching';

/** The outputs of the groups' layers on `x` (rows: examples × positions; columns: units). */
function groupActivations(model: tf.Sequential, spec: PermutationSpec, x: tf.Tensor): tf.Tensor2D[] {
  return tf.tidy(() => {
    const wanted = new Map(spec.groups.map((g, k) => [g.outputLayer, k]));
    const out: tf.Tensor2D[] = new Array(spec.groups.length);
    let h = x;
    for (const [i, layer] of model.layers.entries()) {
      if (i > Math.max(...wanted.keys())) break;
      h = layer.apply(h, { training: false }) as tf.Tensor;
      const k = wanted.get(i);
      if (k !== undefined) out[k] = tf.keep(tf.reshape(h, [-1, spec.groups[k].size]) as tf.Tensor2D);
    }
    return out;
  });
}

export async function activationMatching(model: tf.LayersModel, spec: PermutationSpec, x: tf.Tensor,
  a: { theta: Float32Array; state: Float32Array }, b: { theta: Float32Array; state: Float32Array }): Promise<Int32Array[]> {
  const savedTheta = await readParams(model), savedState = await readState(model);
  const at = (p: { theta: Float32Array; state: Float32Array }) => {
    writeParams(model, p.theta);
    if (p.state.length) writeState(model, p.state);
    return groupActivations(model as tf.Sequential, spec, x);
  };
  try {
    const za = at(a), zb = at(b);
    const cs = za.map((z, k) => tf.tidy(() => tf.matMul(z, zb[k], true, false)));
    tf.dispose([...za, ...zb]);
    const values = await Promise.all(cs.map((c) => c.data()));
    tf.dispose(cs);
    return values.map((c, k) => assignMax(c as Float32Array, spec.groups[k].size));
  } finally {
    writeParams(model, savedTheta);
    if (savedState.length) writeState(model, savedState);
  }
}
