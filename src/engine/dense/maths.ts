/**
 * The Dense engine's formulas, each written once: the layer specs, TF.js's probability clip (shared
 * with engine/losses.ts), the sparse labels' one-hot rows, and each activation's forward pass,
 * slope f′ and curvature df′/da (in terms of the output a). train.ts, eval.ts and hvp.ts use them.
 */

export type DenseActivation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';
export type DenseLoss = 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'meanSquaredError';

export interface DenseLayerSpec {
  inputs: number;
  units: number;
  activation: DenseActivation;
  /** Offset of the kernel [inputs, units] in θ. */
  kernel: number;
  /** Offset of the bias [units] in θ, or −1 without one. */
  bias: number;
}

/** TF.js's backend epsilon (tfjs-layers' `epsilon()`): the probability clip [ε, 1 − ε] before the log. */
export const EPSILON = 1e-7;
/** ε and 1 − ε as the float32 bounds TF.js's clip compares with. */
export const CLIP_LO = Math.fround(EPSILON);
export const CLIP_HI = Math.fround(1 - EPSILON);
/** q clipped to [CLIP_LO, CLIP_HI] (tfjs-layers' clipByValue before the log). */
export const clipProbability = (q: number) => (q < CLIP_LO ? CLIP_LO : q > CLIP_HI ? CLIP_HI : q);
/** Whether the clip passes q through (its derivative is 1 there, 0 outside, as TF.js's). */
export const inClipRange = (q: number) => q >= CLIP_LO && q <= CLIP_HI;

/**
 * Row r of `t` ([rows, k], zeroed by the caller) one-hot for class `label`: TF.js's oneHot, where
 * an out-of-range label gives a zero row.
 */
export function setOneHot(t: Float32Array, r: number, k: number, label: number): void {
  const c = Math.trunc(label);
  if (c >= 0 && c < k) t[r * k + c] = 1;
}

/** In place on [rows, units]. */
export function activationForward(act: DenseActivation, out: Float32Array, rows: number, units: number): void {
  const n = rows * units;
  if (act === 'relu') {
    // Branch-free on the bits (a compare per value mispredicts on random signs): x < 0 → +0.
    const bits = new Int32Array(out.buffer, out.byteOffset, n);
    for (let i = 0; i < n; i++) { const v = bits[i]; bits[i] = v & ~(v >> 31); }
  } else if (act === 'sigmoid') {
    for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-out[i]));
  } else if (act === 'tanh') {
    for (let i = 0; i < n; i++) out[i] = Math.tanh(out[i]);
  } else if (act === 'softmax') {
    for (let r = 0; r < rows; r++) {
      const o = r * units;
      let max = -Infinity;
      for (let j = 0; j < units; j++) if (out[o + j] > max) max = out[o + j];
      let sum = 0;
      for (let j = 0; j < units; j++) { const e = Math.fround(Math.exp(out[o + j] - max)); out[o + j] = e; sum += e; }
      for (let j = 0; j < units; j++) out[o + j] /= sum;
    }
  }
}

/** δ ← δ ⊙ act′, from the activation's output y (softmax is only ever last: see lossGradient). */
export function activationBackward(act: DenseActivation, y: Float32Array, delta: Float32Array, n: number): void {
  if (act === 'relu') {
    // TF.js: dy · step(x), step(x) = x > 0; y = relu(x) > 0 exactly when x > 0 (y's bits ≥ 0)
    const yb = new Int32Array(y.buffer, y.byteOffset, n), db = new Int32Array(delta.buffer, delta.byteOffset, n);
    for (let i = 0; i < n; i++) db[i] &= (-yb[i]) >> 31;
  } else if (act === 'sigmoid') {
    for (let i = 0; i < n; i++) delta[i] *= y[i] * (1 - y[i]);
  } else if (act === 'tanh') {
    for (let i = 0; i < n; i++) delta[i] *= 1 - y[i] * y[i];
  } else if (act === 'softmax') {
    throw new Error('DenseStackStep: softmax is supported on the last layer only');
  }
}

/** d f′ / d a, with f′ written in terms of the output a (zero for linear and relu). */
export function curvatureOf(act: DenseActivation): ((a: number) => number) | null {
  if (act === 'sigmoid') return (a) => 1 - 2 * a;
  if (act === 'tanh') return (a) => -2 * a;
  return null;
}

/** f′ in terms of the output a. */
export function slopeOf(act: DenseActivation): (a: number) => number {
  if (act === 'relu') return (a) => (a > 0 ? 1 : 0);
  if (act === 'sigmoid') return (a) => a * (1 - a);
  if (act === 'tanh') return (a) => 1 - a * a;
  return () => 1;
}
