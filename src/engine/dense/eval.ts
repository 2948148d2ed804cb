/**
 * The loss and accuracy of a Dense stack at points θ(c) = base + Σ c_k·dir_k of a line or plane,
 * computed on the BLAS without TF.js (used by engine/evaluate.ts's AffineEvaluator on its
 * first-layer fast path): the first layer's pre-activation is the precomputed
 * P_base + Σ c_k P_dir_k (the same axpy order as the TF.js path), the other layers' weights are
 * formed from base and directions per point, then bias + sgemm + activation per layer (relu on
 * the SIMD kernels) and tfjs-layers' per-example loss and accuracy per row.
 * Sums are kept in float64; they differ from the TF.js path's float32 sums by rounding only.
 */
import { BlasLibrary, NO_TRANS } from '../../backends/blas/library';
import { fillRows, gemm } from '../../backends/blas/rows';
import { SimdArena } from '../../backends/simd/elementwise';
import { activationForward, clipProbability, type DenseLayerSpec, type DenseLoss } from './maths';

export interface DenseEvalBatch {
  /** [P_base, P_dir_1, …]: X·W + b of the first layer at base and along each direction, [rows, units₀]. */
  pre: Float32Array[];
  /** Targets [rows, classes], or class indices [rows] (sparse loss). */
  y: Float32Array;
  rows: number;
}

/** Where a point's time goes, accumulated while `on` (for `npm run bench`'s profile). */
export const denseEvalProfile = { on: false, ms: 0, gemmMs: 0 };

/** Σ loss, Σ loss², Σ correct over a batch. */
export type Totals = [number, number, number];

export class DenseStackForward {
  private readonly h: Float32Array[];
  private readonly simd: SimdArena | null;
  private readonly point: Float32Array;
  private readonly classes: number;
  /** One row of the output (probabilities), float64 scratch. */
  private readonly row: Float64Array;

  /**
   * @param base, dirs the flat θ of the line/plane (the model's layout); only the layers after
   *   the first are read from them
   * @param maxRows the largest batch
   * @param stored floats (and arrays) that will be `store`d: the batches' first-layer products
   */
  constructor(
    private readonly blas: BlasLibrary,
    private readonly layers: DenseLayerSpec[],
    private readonly loss: DenseLoss,
    private readonly accuracy: boolean,
    private readonly base: Float32Array,
    private readonly dirs: Float32Array[],
    maxRows: number,
    stored: { floats: number; arrays: number },
  ) {
    const sizes = layers.map((l) => maxRows * l.units);
    const floats = sizes.reduce((a, b) => a + b, 0) + base.length + stored.floats;
    // activations, the point's weights and the stored products in one SIMD arena (fused passes)
    this.simd = SimdArena.create(floats, sizes.length + 1 + stored.arrays);
    this.h = sizes.map((n) => (this.simd ? this.simd.alloc(n) : new Float32Array(n)));
    this.point = this.simd ? this.simd.alloc(base.length) : new Float32Array(base.length);
    this.classes = layers[layers.length - 1].units;
    this.row = new Float64Array(this.classes);
  }

  /** A copy of `a` kept for the evaluator (in the SIMD arena where there is one). */
  store(a: Float32Array): Float32Array {
    if (!this.simd) return a.slice();
    const out = this.simd.alloc(a.length);
    out.set(a);
    return out;
  }

  /** Puts the weights of the layers after the first at θ(c) (call once per point, before `totals`). */
  setPoint(coeffs: number[]): void {
    for (const L of this.layers.slice(1)) {
      for (const [off, len] of [[L.kernel, L.inputs * L.units], [L.bias, L.units]]) {
        if (off < 0) continue;
        const dst = this.point.subarray(off, off + len);
        dst.set(this.base.subarray(off, off + len));
        coeffs.forEach((c, k) => { if (c !== 0) this.axpy(c, this.dirs[k].subarray(off, off + len), dst); });
      }
    }
  }

  /** The batch's sums at the point last set (first layer from `coeffs`). */
  totals(b: DenseEvalBatch, coeffs: number[]): Totals {
    const t0 = denseEvalProfile.on ? performance.now() : 0;
    try { return this.batchTotals(b, coeffs); } finally { if (denseEvalProfile.on) denseEvalProfile.ms += performance.now() - t0; }
  }

  private sgemm(M: number, N: number, K: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array): void {
    const t0 = denseEvalProfile.on ? performance.now() : 0;
    gemm(this.blas, NO_TRANS, NO_TRANS, M, N, K, 1, a, K, b, N, beta, c, N);
    if (denseEvalProfile.on) denseEvalProfile.gemmMs += performance.now() - t0;
  }

  private batchTotals(b: DenseEvalBatch, coeffs: number[]): Totals {
    const B = b.rows;
    const first = this.layers[0];
    let h = this.h[0].subarray(0, B * first.units);
    const fused = (act: DenseLayerSpec['activation']) => this.simd && (act === 'relu' || act === 'linear');
    if (fused(first.activation) && (coeffs.length === 1 || coeffs.length === 2) && b.pre.every((p) => this.simd!.owns(p))) {
      this.simd!.lincomb(h, b.pre, coeffs, first.activation === 'relu'); // one pass: P₀ + c₁P₁ (+ c₂P₂), relu
    } else {
      h.set(b.pre[0]);
      coeffs.forEach((c, k) => { if (c !== 0) this.axpy(c, b.pre[k + 1], h); });
      // a one-layer softmax model: its softmax is taken row by row with the loss (rowTotals)
      if (!(this.layers.length === 1 && first.activation === 'softmax')) this.activate(first.activation, h, B, first.units);
    }
    for (let l = 1; l < this.layers.length; l++) {
      const L = this.layers[l];
      const out = this.h[l].subarray(0, B * L.units);
      const kernel = this.point.subarray(L.kernel, L.kernel + L.inputs * L.units);
      if (L.bias >= 0 && fused(L.activation)) {
        // the product, then bias + relu in one pass
        this.sgemm(B, L.units, L.inputs, h, kernel, 0, out);
        this.simd!.biasAct(out, this.point.subarray(L.bias, L.bias + L.units), L.activation === 'relu');
      } else {
        let beta = 0;
        if (L.bias >= 0) {
          fillRows(out, this.point.subarray(L.bias, L.bias + L.units));
          beta = 1;
        }
        this.sgemm(B, L.units, L.inputs, h, kernel, beta, out);
        // the last layer's softmax is taken row by row with the loss (rowTotals)
        if (!(l === this.layers.length - 1 && L.activation === 'softmax')) this.activate(L.activation, out, B, L.units);
      }
      h = out;
    }
    return this.rowTotals(h, b.y, B);
  }

  private activate(act: DenseLayerSpec['activation'], a: Float32Array, rows: number, units: number): void {
    if (act === 'relu' && this.simd) this.simd.relu(a);
    else activationForward(act, a, rows, units);
  }

  private axpy(alpha: number, x: Float32Array, y: Float32Array): void {
    if (this.blas.saxpy) { this.blas.saxpy(y.length, alpha, x, 1, y, 1); return; }
    for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
  }

  /**
   * Per-example loss (tfjs-layers' formulas) and accuracy, summed. `z` is the last layer's
   * output, or its logits when that layer's activation is softmax (taken here per row, as TF.js's
   * kernel does: exp(z − max) / Σ, in float32).
   */
  private rowTotals(z: Float32Array, y: Float32Array, B: number): Totals {
    const k = this.classes, sparse = this.loss === 'sparseCategoricalCrossentropy', mse = this.loss === 'meanSquaredError';
    const softmax = this.layers[this.layers.length - 1].activation === 'softmax';
    const p = this.row, f = Math.fround;
    let sum = 0, sumSq = 0, correct = 0;
    for (let r = 0; r < B; r++) {
      const o = r * k;
      if (softmax) {
        let max = -Infinity;
        for (let j = 0; j < k; j++) if (z[o + j] > max) max = z[o + j];
        let e = 0;
        for (let j = 0; j < k; j++) { p[j] = f(Math.exp(z[o + j] - max)); e += p[j]; }
        for (let j = 0; j < k; j++) p[j] = f(p[j] / e);
      } else {
        for (let j = 0; j < k; j++) p[j] = z[o + j];
      }
      let loss = 0;
      if (mse) {
        for (let j = 0; j < k; j++) { const d = f(p[j] - y[o + j]); loss += f(d * d); }
        loss /= k;
      } else {
        let S = 0;
        for (let j = 0; j < k; j++) S += p[j];
        if (sparse) {
          const c = Math.trunc(y[r]);
          if (c >= 0 && c < k) loss = -Math.log(clipProbability(f(p[c] / S)));
        } else {
          for (let j = 0; j < k; j++) { const t = y[o + j]; if (t !== 0) loss -= t * Math.log(clipProbability(f(p[j] / S))); }
        }
      }
      loss = f(loss);
      sum += loss; sumSq += loss * loss;
      if (this.accuracy) {
        // tf.argMax: the first index of the largest value
        let pm = 0;
        for (let j = 1; j < k; j++) if (p[j] > p[pm]) pm = j;
        let tm = 0;
        if (sparse) tm = Math.trunc(y[r]);
        else for (let j = 1; j < k; j++) if (y[o + j] > y[o + tm]) tm = j;
        if (pm === tm) correct++;
      }
    }
    return [sum, sumSq, correct];
  }
}
