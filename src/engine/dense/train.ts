/**
 * SGD steps of a stack of Dense layers computed directly with the BLAS, without TF.js's
 * autodiff tape: forward products, the loss and its gradient in closed form, backward products,
 * and the update θ ← θ − lr·∇ folded into the weight-gradient product itself
 * (cblas_sgemm with α = −lr, β = 1 on the kernel: no gradient buffer, no separate update pass).
 *
 * The arithmetic is TF.js's for the same model (./plan.ts decides when a model qualifies): y = act(x·W + b) per layer, the loss formulas of tfjs-layers
 * (categorical cross-entropy: p / Σp, clipped to [ε, 1 − ε], −Σ t·log; the clip's gradient is
 * zero outside the range, as TF.js's), their gradients through the same chain. It differs from
 * TF.js's steps only by float32 rounding (sums in another order, the fused update).
 *
 * θ is one flat Float32Array in the model's layout (kernel [in, units] row-major, then bias,
 * per layer); the step updates it in place. Buffers are allocated once for the largest batch.
 */
import * as tf from '@tensorflow/tfjs';
import { BlasLibrary, NO_TRANS, TRANS } from '../../backends/blas/library';
import { addColumnSums, fillRows, gemm } from '../../backends/blas/rows';
import { SimdArena } from '../../backends/simd/elementwise';
import { activeBlas, tensorView } from '../../backends';
import type { DenseStackPlan } from './plan';
import { activationBackward, activationForward, clipProbability, inClipRange, setOneHot, type DenseLayerSpec, type DenseLoss } from './maths';

/**
 * Where a step's time goes, accumulated while `on` (for `npm run bench`'s profile; off in use:
 * it costs two clock reads per product).
 */
export const denseStepProfile = { on: false, steps: 0, stepMs: 0, gemmMs: 0 };

export class DenseStackStep {
  /** acts[0]: the batch's inputs; acts[l + 1]: layer l's output. */
  private readonly acts: Float32Array[];
  private readonly deltas: [Float32Array, Float32Array];
  private readonly targets: Float32Array;
  private readonly classes: number;
  /** Where acts and deltas live when SIMD kernels are available (relu and its mask run there). */
  private readonly simd: SimdArena | null;

  constructor(
    private readonly blas: BlasLibrary,
    private readonly layers: DenseLayerSpec[],
    private readonly loss: DenseLoss,
    readonly theta: Float32Array,
    private readonly maxBatch: number,
  ) {
    if (layers.length === 0) throw new Error('DenseStackStep: no layers');
    const widest = Math.max(...layers.map((l) => Math.max(l.inputs, l.units)));
    const sizes = [layers[0].inputs, ...layers.map((l) => l.units), widest, widest].map((w) => maxBatch * w);
    this.simd = SimdArena.create(sizes.reduce((a, b) => a + b, 0), sizes.length);
    const arrays = sizes.map((n) => (this.simd ? this.simd.alloc(n) : new Float32Array(n)));
    this.acts = arrays.slice(0, layers.length + 1);
    this.deltas = [arrays[layers.length + 1], arrays[layers.length + 2]];
    this.classes = layers[layers.length - 1].units;
    this.targets = new Float32Array(maxBatch * this.classes);
  }

  /**
   * One step on the examples `rows` of x ([n, inputs] row-major) and y ([n, classes], or [n]
   * class indices for the sparse loss); returns the batch's mean loss.
   */
  step(x: Float32Array, y: Float32Array, rows: ArrayLike<number>, lr: number): number {
    const t0 = denseStepProfile.on ? performance.now() : 0;
    try { return this.run(x, y, rows, lr); } finally {
      if (denseStepProfile.on) { denseStepProfile.steps++; denseStepProfile.stepMs += performance.now() - t0; }
    }
  }

  private run(x: Float32Array, y: Float32Array, rows: ArrayLike<number>, lr: number): number {
    const B = rows.length;
    if (B === 0 || B > this.maxBatch) throw new Error(`DenseStackStep: batch of ${B} (at most ${this.maxBatch})`);
    const d0 = this.layers[0].inputs, k = this.classes;
    const a0 = this.acts[0];
    for (let r = 0; r < B; r++) a0.set(x.subarray(rows[r] * d0, (rows[r] + 1) * d0), r * d0);
    const sparse = this.loss === 'sparseCategoricalCrossentropy';
    const t = this.targets;
    if (sparse) {
      t.fill(0, 0, B * k);
      for (let r = 0; r < B; r++) setOneHot(t, r, k, y[rows[r]]);
    } else {
      for (let r = 0; r < B; r++) t.set(y.subarray(rows[r] * k, (rows[r] + 1) * k), r * k);
    }
    for (let l = 0; l < this.layers.length; l++) this.forward(l, B);
    const last = this.layers.length - 1;
    let delta = this.deltas[0];
    const lossMean = this.lossGradient(this.acts[last + 1], B, delta);
    for (let l = last; l >= 0; l--) {
      const L = this.layers[l];
      const other = delta === this.deltas[0] ? this.deltas[1] : this.deltas[0];
      if (l > 0) {
        // δ_{l−1} = (δ_l · Wᵀ) ⊙ act′ — with W before its update
        this.gemm(NO_TRANS, TRANS, B, L.inputs, L.units, 1, delta, L.units, this.kernel(L), L.units, 0, other, L.inputs);
        const n = B * L.inputs;
        if (this.simd && this.layers[l - 1].activation === 'relu') this.simd.reluMask(other.subarray(0, n), this.acts[l].subarray(0, n));
        else activationBackward(this.layers[l - 1].activation, this.acts[l], other, n);
      }
      // W ← W − lr·(a_{l}ᵀ · δ_l), b ← b − lr·Σ_rows δ_l
      this.gemm(TRANS, NO_TRANS, L.inputs, L.units, B, -lr, this.acts[l], L.inputs, delta, L.units, 1, this.kernel(L), L.units);
      if (L.bias >= 0) addColumnSums(this.blas, delta, B, L.units, -lr, this.theta.subarray(L.bias, L.bias + L.units));
      delta = other;
    }
    return lossMean;
  }

  private forward(l: number, B: number): void {
    const L = this.layers[l];
    const out = this.acts[l + 1];
    const n = B * L.units;
    let beta = 0;
    if (L.bias >= 0) {
      fillRows(out.subarray(0, n), this.theta.subarray(L.bias, L.bias + L.units));
      beta = 1;
    }
    this.gemm(NO_TRANS, NO_TRANS, B, L.units, L.inputs, 1, this.acts[l], L.inputs, this.kernel(L), L.units, beta, out, L.units);
    if (this.simd && L.activation === 'relu') this.simd.relu(out.subarray(0, n));
    else activationForward(L.activation, out, B, L.units);
  }

  /** C ← α·op(A)·op(B) + β·C, on every BLAS thread only for big products. */
  private gemm(tA: number, tB: number, M: number, N: number, K: number, alpha: number,
    a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number): void {
    const t0 = denseStepProfile.on ? performance.now() : 0;
    gemm(this.blas, tA, tB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc);
    if (denseStepProfile.on) denseStepProfile.gemmMs += performance.now() - t0;
  }

  /** Layer l's kernel [inputs, units], a view of θ. */
  private kernel(L: DenseLayerSpec): Float32Array {
    return this.theta.subarray(L.kernel, L.kernel + L.inputs * L.units);
  }

  /** The batch's mean loss; writes dLoss/d(pre-activation of the last layer) into `delta`. */
  private lossGradient(p: Float32Array, B: number, delta: Float32Array): number {
    const k = this.classes, t = this.targets;
    const act = this.layers[this.layers.length - 1].activation;
    const g = new Float64Array(k);
    let total = 0;
    for (let r = 0; r < B; r++) {
      const o = r * k;
      if (this.loss === 'meanSquaredError') {
        let s = 0;
        for (let j = 0; j < k; j++) {
          // float32 like TF.js's Sub and Square (a diverging run overflows to Infinity at the same step)
          const d = Math.fround(p[o + j] - t[o + j]);
          s += Math.fround(d * d);
          g[j] = (2 * d) / (k * B);
        }
        total += s / k;
      } else {
        // q = p / Σp, c = clip(q, ε, 1 − ε), loss = −Σ t·log c
        let sum = 0;
        for (let j = 0; j < k; j++) sum += p[o + j];
        let loss = 0, gq = 0;
        const dq = g; // dLoss/dq first, then turned into dLoss/dp below
        for (let j = 0; j < k; j++) {
          const q = Math.fround(p[o + j] / sum);
          const c = clipProbability(q);
          if (t[o + j] !== 0) loss -= t[o + j] * Math.log(c);
          dq[j] = inClipRange(q) ? -t[o + j] / (c * B) : 0;
          gq += dq[j] * p[o + j];
        }
        total += loss;
        // d(p_j / S)/dp_i = δ_ij / S − p_j / S²
        for (let j = 0; j < k; j++) g[j] = dq[j] / sum - gq / (sum * sum);
      }
      // through the last activation (output p)
      if (act === 'softmax') {
        let dot = 0;
        for (let j = 0; j < k; j++) dot += g[j] * p[o + j];
        for (let j = 0; j < k; j++) delta[o + j] = p[o + j] * (g[j] - dot);
      } else {
        for (let j = 0; j < k; j++) delta[o + j] = g[j];
        activationBackward(act, p.subarray(o, o + k), delta.subarray(o, o + k), k);
      }
    }
    return Math.fround(total / B);
  }
}

/** Runs the plan's steps; θ lives in `step.theta` (copied in from, and back into, the model by train()). */
export class DenseStackTrainer {
  private readonly step: DenseStackStep;
  private readonly labels: Float32Array | null;

  constructor(plan: DenseStackPlan, theta: Float32Array, maxBatch: number, private readonly x: tf.Tensor, private readonly y: tf.Tensor) {
    this.step = new DenseStackStep(activeBlas()!, plan.layers, plan.loss, theta, maxBatch);
    // Labels as floats (int32 class indices too): n values, read once.
    this.labels = y.dtype === 'float32' ? null : Float32Array.from(y.dataSync() as Int32Array);
  }

  get theta(): Float32Array { return this.step.theta; }

  /** One SGD step on the examples `rows`; the batch's mean loss. */
  run(rows: ArrayLike<number>, lr: number): number {
    // Views of the wasm heap, taken now: any allocation between steps may have moved it.
    const x = tensorView(this.x), y = this.labels ?? tensorView(this.y);
    if (!x || !y) throw new Error('the data is no longer on the wasm backend');
    return this.step.step(x, y, rows, lr);
  }
}
