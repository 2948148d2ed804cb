/**
 * Exact Hessian-vector products of a Dense stack's mean loss on the BLAS, by the R-operator
 * (Pearlmutter 1994; forward-over-reverse): one forward pass of the directional derivatives
 * R{z} = R{a}·W + a·V (+ v_b), the loss's second derivative in closed form at the top, and one
 * backward pass of R{δ}, giving Hv = [Σ aᵀR{δ} + R{a}ᵀδ, Σ_rows R{δ}] per layer.
 *
 * The same function TF.js's double backprop differentiates (src/engine/hvp.ts): the model in
 * inference mode, tfjs-layers' loss formulas (cross-entropy: p / Σp clipped to [ε, 1 − ε], the
 * clip's derivative zero outside it; relu's second derivative zero), the mean over all examples.
 * The forward activations and the gradient's δ do not depend on v: they are computed once per
 * batch and kept (up to CACHE_FLOATS values), so a product costs two products per layer at the
 * first layer and about four at the others.
 */
import { BlasLibrary, NO_TRANS, TRANS } from '../../backends/blas/library';
import { addColumnSums, fillRows, gemm } from '../../backends/blas/rows';
import { activationBackward, activationForward, clipProbability, curvatureOf, inClipRange, setOneHot, slopeOf, type DenseLayerSpec, type DenseLoss } from './maths';

/** Cached forward activations and δ of every batch up to this many float32 values (256 MiB). */
const CACHE_FLOATS = 64 * 2 ** 20;

interface Prepared {
  /** acts[l]: layer l's input ([B, inputs]; acts[0] is a view of x); acts[L]: the output p. */
  acts: Float32Array[];
  /** deltas[l]: dJ/d(layer l's pre-activation), [B, units], scaled by 1 / n. */
  deltas: Float32Array[];
  /** pre[l]: δ_{l+1}·W_{l+1}ᵀ before the activation's derivative ([B, units of l]), for sigmoid / tanh only. */
  pre: (Float32Array | null)[];
}

export class DenseStackHessian {
  private readonly classes: number;
  private readonly cache = new Map<number, Prepared>();
  private readonly cacheable: boolean;
  /** Per-row scratch of the loss's derivatives (k values each). */
  private readonly gq: Float64Array;
  private readonly clipped: Float64Array;
  private readonly inRange: Uint8Array;
  private readonly Rgq: Float64Array;

  /**
   * @param theta the point (flat, the model's layout); not modified
   * @param n examples in all (J is the mean over them)
   */
  constructor(
    private readonly blas: BlasLibrary,
    private readonly layers: DenseLayerSpec[],
    private readonly loss: DenseLoss,
    private readonly theta: Float32Array,
    private readonly n: number,
  ) {
    this.classes = layers[layers.length - 1].units;
    const k = this.classes;
    this.gq = new Float64Array(k); this.clipped = new Float64Array(k); this.inRange = new Uint8Array(k); this.Rgq = new Float64Array(k);
    const perRow = layers.reduce((s, l) => s + 3 * l.units, 0);
    this.cacheable = perRow * n <= CACHE_FLOATS;
  }

  /**
   * Adds H·v over the examples `start .. start + B` (x: their rows [B, inputs], y: targets
   * [B, classes] or class indices [B]; arrays the caller does not change, kept for the next
   * products) into `out`. Call for every batch with out zeroed first.
   */
  accumulate(start: number, x: Float32Array, y: Float32Array, v: Float32Array, out: Float32Array): void {
    const B = x.length / this.layers[0].inputs;
    const prep = this.cache.get(start) ?? this.prepare(x, y, B);
    if (this.cacheable) this.cache.set(start, prep);
    const L = this.layers.length;
    // forward: R{a} of every layer's input (R{a_0} = 0), R{z} of the last layer
    const Ra: (Float32Array | null)[] = [null];
    let Rz = new Float32Array(0);
    for (let l = 0; l < L; l++) {
      const S = this.layers[l];
      Rz = new Float32Array(B * S.units);
      let beta = 0;
      if (S.bias >= 0) { fillRows(Rz, v.subarray(S.bias, S.bias + S.units)); beta = 1; }
      gemm(this.blas, NO_TRANS, NO_TRANS, B, S.units, S.inputs, 1, prep.acts[l], S.inputs, this.w(v, S), S.units, beta, Rz, S.units);
      const ra = Ra[l];
      if (ra) gemm(this.blas, NO_TRANS, NO_TRANS, B, S.units, S.inputs, 1, ra, S.inputs, this.w(this.theta, S), S.units, 1, Rz, S.units);
      if (l < L - 1) {
        activationBackward(S.activation, prep.acts[l + 1], Rz, Rz.length); // R{a} = f′ ⊙ R{z}
        Ra.push(Rz);
      }
    }
    // top: R{δ_L} from R{z_L}
    let Rd = this.topR(prep.acts[L], Rz, this.targets(y, B), B);
    for (let l = L - 1; l >= 0; l--) {
      const S = this.layers[l];
      const d = prep.deltas[l];
      const hw = this.w(out, S);
      gemm(this.blas, TRANS, NO_TRANS, S.inputs, S.units, B, 1, prep.acts[l], S.inputs, Rd, S.units, 1, hw, S.units);
      const ra = Ra[l];
      if (ra) gemm(this.blas, TRANS, NO_TRANS, S.inputs, S.units, B, 1, ra, S.inputs, d, S.units, 1, hw, S.units);
      if (S.bias >= 0) addColumnSums(this.blas, Rd, B, S.units, 1, out.subarray(S.bias, S.bias + S.units));
      if (l === 0) break;
      // R{δ_{l−1}} = (R{δ}·Wᵀ + δ·Vᵀ) ⊙ f′ + (δ·Wᵀ) ⊙ (df′/da) ⊙ R{a}
      const P = this.layers[l - 1];
      const Rg = new Float32Array(B * S.inputs);
      gemm(this.blas, NO_TRANS, TRANS, B, S.inputs, S.units, 1, Rd, S.units, this.w(this.theta, S), S.units, 0, Rg, S.inputs);
      gemm(this.blas, NO_TRANS, TRANS, B, S.inputs, S.units, 1, d, S.units, this.w(v, S), S.units, 1, Rg, S.inputs);
      const a = prep.acts[l], g = prep.pre[l - 1], r = ra!;
      activationBackward(P.activation, a, Rg, Rg.length);
      const curv = curvatureOf(P.activation);
      if (g && curv) for (let i = 0; i < Rg.length; i++) Rg[i] += g[i] * curv(a[i]) * r[i];
      Rd = Rg;
    }
  }

  /** Forward activations and the gradient's δ for a batch (independent of v). */
  private prepare(x: Float32Array, y: Float32Array, B: number): Prepared {
    const L = this.layers.length;
    const acts: Float32Array[] = [x];
    for (let l = 0; l < L; l++) {
      const S = this.layers[l];
      const out = new Float32Array(B * S.units);
      let beta = 0;
      if (S.bias >= 0) { fillRows(out, this.theta.subarray(S.bias, S.bias + S.units)); beta = 1; }
      gemm(this.blas, NO_TRANS, NO_TRANS, B, S.units, S.inputs, 1, acts[l], S.inputs, this.w(this.theta, S), S.units, beta, out, S.units);
      activationForward(S.activation, out, B, S.units);
      acts.push(out);
    }
    const deltas: Float32Array[] = new Array(L);
    const pre: (Float32Array | null)[] = new Array(L).fill(null);
    deltas[L - 1] = this.topDelta(acts[L], this.targets(y, B), B);
    for (let l = L - 1; l > 0; l--) {
      const S = this.layers[l], P = this.layers[l - 1];
      const g = new Float32Array(B * S.inputs);
      gemm(this.blas, NO_TRANS, TRANS, B, S.inputs, S.units, 1, deltas[l], S.units, this.w(this.theta, S), S.units, 0, g, S.inputs);
      const d = g.slice();
      activationBackward(P.activation, acts[l], d, d.length);
      deltas[l - 1] = d;
      if (curvatureOf(P.activation)) pre[l - 1] = g;
    }
    return { acts, deltas, pre };
  }

  private targets(y: Float32Array, B: number): Float32Array {
    if (this.loss !== 'sparseCategoricalCrossentropy') return y;
    const k = this.classes, t = new Float32Array(B * k);
    for (let r = 0; r < B; r++) setOneHot(t, r, k, y[r]);
    return t;
  }

  /** δ_L = dJ/dz_L (scaled by 1 / n). */
  private topDelta(p: Float32Array, t: Float32Array, B: number): Float32Array {
    const k = this.classes, out = new Float32Array(B * k);
    const g = new Float64Array(k);
    for (let r = 0; r < B; r++) {
      const o = r * k;
      this.lossSlope(p, t, o, g, null, null);
      this.throughTop(p, o, g, null, null, out, null);
    }
    return out;
  }

  /** R{δ_L} from R{z_L}. */
  private topR(p: Float32Array, Rz: Float32Array, t: Float32Array, B: number): Float32Array {
    const k = this.classes, out = new Float32Array(B * k);
    const g = new Float64Array(k), Rg = new Float64Array(k), Rp = new Float64Array(k);
    const act = this.layers[this.layers.length - 1].activation;
    const slope = slopeOf(act);
    for (let r = 0; r < B; r++) {
      const o = r * k;
      if (act === 'softmax') {
        let pr = 0;
        for (let j = 0; j < k; j++) pr += p[o + j] * Rz[o + j];
        for (let j = 0; j < k; j++) Rp[j] = p[o + j] * (Rz[o + j] - pr);
      } else {
        for (let j = 0; j < k; j++) Rp[j] = slope(p[o + j]) * Rz[o + j];
      }
      this.lossSlope(p, t, o, g, Rp, Rg);
      this.throughTop(p, o, g, Rp, Rg, null, out);
    }
    return out;
  }

  /** g = dℓ/dp / n of row `o` and, given R{p}, R{g}. */
  private lossSlope(p: Float32Array, t: Float32Array, o: number, g: Float64Array, Rp: Float64Array | null, Rg: Float64Array | null): void {
    const k = this.classes, s = 1 / this.n;
    if (this.loss === 'meanSquaredError') {
      for (let j = 0; j < k; j++) {
        g[j] = (2 * s * (p[o + j] - t[o + j])) / k;
        if (Rp && Rg) Rg[j] = (2 * s * Rp[j]) / k;
      }
      return;
    }
    let S = 0;
    for (let j = 0; j < k; j++) S += p[o + j];
    let G = 0, RS = 0;
    const gq = this.gq, c = this.clipped, m = this.inRange;
    for (let j = 0; j < k; j++) {
      const q = Math.fround(p[o + j] / S);
      m[j] = inClipRange(q) ? 1 : 0;
      c[j] = clipProbability(q);
      gq[j] = m[j] ? (-s * t[o + j]) / c[j] : 0;
      G += gq[j] * p[o + j];
      if (Rp) RS += Rp[j];
    }
    for (let j = 0; j < k; j++) g[j] = gq[j] / S - G / (S * S);
    if (!Rp || !Rg) return;
    let RG = 0;
    const Rgq = this.Rgq;
    for (let j = 0; j < k; j++) {
      const Rq = Rp[j] / S - (p[o + j] * RS) / (S * S);
      Rgq[j] = m[j] ? (s * t[o + j] * Rq) / (c[j] * c[j]) : 0;
      RG += Rgq[j] * p[o + j] + gq[j] * Rp[j];
    }
    for (let j = 0; j < k; j++) Rg[j] = Rgq[j] / S - (gq[j] * RS) / (S * S) - RG / (S * S) + (2 * G * RS) / (S * S * S);
  }

  /** δ (into `delta`) or R{δ} (into `Rdelta`) of row `o` through the last activation. */
  private throughTop(p: Float32Array, o: number, g: Float64Array, Rp: Float64Array | null, Rg: Float64Array | null,
    delta: Float32Array | null, Rdelta: Float32Array | null): void {
    const k = this.classes;
    const act = this.layers[this.layers.length - 1].activation;
    if (act === 'softmax') {
      let D = 0;
      for (let j = 0; j < k; j++) D += g[j] * p[o + j];
      if (delta) for (let j = 0; j < k; j++) delta[o + j] = p[o + j] * (g[j] - D);
      if (Rdelta && Rp && Rg) {
        let RD = 0;
        for (let j = 0; j < k; j++) RD += Rg[j] * p[o + j] + g[j] * Rp[j];
        for (let j = 0; j < k; j++) Rdelta[o + j] = Rp[j] * (g[j] - D) + p[o + j] * (Rg[j] - RD);
      }
      return;
    }
    const slope = slopeOf(act), curv = curvatureOf(act);
    if (delta) for (let j = 0; j < k; j++) delta[o + j] = g[j] * slope(p[o + j]);
    if (Rdelta && Rp && Rg) {
      for (let j = 0; j < k; j++) Rdelta[o + j] = Rg[j] * slope(p[o + j]) + (curv ? g[j] * curv(p[o + j]) * Rp[j] : 0);
    }
  }

  private w(flat: Float32Array, S: DenseLayerSpec): Float32Array {
    return flat.subarray(S.kernel, S.kernel + S.inputs * S.units);
  }
}
