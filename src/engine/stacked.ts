/**
 * Several probe points in one pass (the GPU-shaped evaluation): for K points θ_k = base + Σ_d
 * c_kd·dir_d of an MLP, every Dense layer's weights are stacked on the backend into [K, in, out]
 * (built there from base and dirs: nothing is uploaded per point), the activations carry a
 * leading K axis, and each layer is one batched matmul for all K points instead of K matmuls.
 * With the first-layer linearity trick the first layer is shared: its pre-activation for point
 * k is pre_base + Σ_d c_kd·pre_dir_d, a broadcast sum over the precomputed products.
 * On WebGPU this divides the dispatch count (the per-point cost that dominated there) by K;
 * on the CPU backends it would only use more memory, so the evaluator takes it on webgpu only.
 *
 * Applies to tf.sequential models of Dense, Dropout (identity at inference) and Activation
 * layers, with a per-example loss; anything else is evaluated point by point.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossSpec } from './losses';

type Act = { apply(t: tf.Tensor): tf.Tensor } | undefined;
type Step = { kind: 'dense'; kernel: number; bias?: number; act: Act } | { kind: 'act'; act: Act } | { kind: 'identity' };

export interface StackPlan { steps: Step[] }

/** The plan, or why the model cannot be stacked. */
export function stackPlan(model: tf.LayersModel, spec: LossSpec): StackPlan | string {
  if (!(model instanceof tf.Sequential)) return 'not a tf.sequential';
  if (!spec.perExample) return 'the loss gives batch means only';
  if (model.nonTrainableWeights.length) return 'the model has non-trainable state';
  const vars = model.trainableWeights;
  const steps: Step[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const act = (layer as unknown as { activation?: Act }).activation;
    if (cls === 'Dense') {
      const idx = layer.weights.map((w) => vars.indexOf(w as tf.LayerVariable));
      if (idx.some((i) => i < 0)) return 'a Dense layer has frozen weights';
      const kernel = idx.find((i) => vars[i].shape.length === 2), bias = idx.find((i) => vars[i].shape.length === 1);
      if (kernel === undefined) return 'a Dense layer without a kernel';
      steps.push({ kind: 'dense', kernel, bias, act });
    } else if (cls === 'Dropout') steps.push({ kind: 'identity' });
    else if (cls === 'Activation') steps.push({ kind: 'act', act });
    else return `a ${cls} layer`;
  }
  return { steps };
}

/** Σ_d c[:, d]·t_d over the directions, with a leading K axis: [K, ...shape]. */
export function stackedSum(base: tf.Tensor, dirs: tf.Tensor[], coeffs: number[][]): tf.Tensor {
  return tf.tidy(() => {
    const K = coeffs.length;
    const lead = [K, ...base.shape.map(() => 1)];
    let acc: tf.Tensor = tf.tile(tf.expandDims(base, 0), [K, ...base.shape.map(() => 1)]);
    dirs.forEach((d, k) => {
      const c = tf.reshape(tf.tensor1d(coeffs.map((cs) => cs[k] ?? 0)), lead);
      acc = tf.add(acc, tf.mul(c, tf.expandDims(d, 0)));
    });
    return acc;
  });
}

/**
 * [Σ loss, Σ loss², Σ correct] of each of K points on one batch, as a [K, 3] tensor.
 * `input`: x [n, in] (shared by every point) or first-layer pre-activations [K, n, h] when
 * `skipFirst` (the trick); `weights(i)` gives variable i stacked for the K points.
 */
export function stackedTotals(plan: StackPlan, spec: LossSpec, withAccuracy: boolean, input: tf.Tensor, skipFirst: boolean,
  y: tf.Tensor, K: number, weights: (i: number) => tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    let h = skipFirst ? input : tf.expandDims(input, 0);
    plan.steps.forEach((s, li) => {
      if (s.kind === 'identity') return;
      if (s.kind === 'act') { if (s.act) h = s.act.apply(h); return; }
      if (!(skipFirst && li === 0)) {
        const W = weights(s.kernel);
        const hb = h.shape[0] === K ? h : tf.tile(h, [K, 1, 1]);
        h = tf.matMul(hb as tf.Tensor3D, W as tf.Tensor3D);
        if (s.bias !== undefined) h = tf.add(h, tf.expandDims(weights(s.bias), 1));
      }
      if (s.act) h = s.act.apply(h);
    });
    const n = y.shape[0], c = h.shape[2]!;
    const flatPred = tf.reshape(h, [K * n, c]);
    const flatTrue = tf.tile(y, [K, ...y.shape.slice(1).map(() => 1)]);
    const l = tf.reshape(spec.perExample!(flatTrue, flatPred), [K, n]);
    const a = withAccuracy && spec.accuracy ? tf.sum(tf.reshape(spec.accuracy(flatTrue, flatPred), [K, n]), 1) : tf.zeros([K]);
    return tf.stack([tf.sum(l, 1), tf.sum(tf.square(l), 1), a], 1);
  });
}
