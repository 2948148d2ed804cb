/**
 * The generalized Gauss–Newton matrix G = Σ_b (n_b/n) J_bᵀ H_L J_b of the training loss (the same
 * J(θ) as ../hvp.ts: batch means weighted by batch size, inference mode), as exact products for
 * any model by automatic differentiation:
 *   u = J v      by the double-backward trick: Jᵀw is linear in w, so J v = ∇_w ⟨Jᵀw, v⟩ (at w = 0);
 *   w = H_L u    the loss's Hessian in the network's output;
 *   G v = Jᵀ w   one backward pass (a vector-Jacobian product).
 * G is positive semi-definite wherever the loss is convex in the output (every built-in loss), and
 * H − G = Σ (∂L/∂z_c) ∇²z_c is where the Hessian's negative curvature lives.
 *
 * Where the output is split: a softmax output with a categorical crossentropy (sparse or not) or a
 * sigmoid output with a binary crossentropy is split at the logits a (the usual GGN; then H_L is
 * diag(p) − ppᵀ per example, resp. p(1 − p)), written with p = model output, z = log p (softmax is
 * shift-invariant, so J_zᵀ H_L J_z equals the logit GGN): G v = J_pᵀ (u/p − Σ_c u_c)/N_b for
 * softmax, J_pᵀ (u / (p(1 − p)))/(N_b·C) for sigmoid, u = J_p v. Any other loss is split at the
 * model's output and H_L u is taken by double backprop of the batch loss in that output.
 *
 * Where the double-backward trick cannot run (some backward kernel has no gradient in TF.js, e.g.
 * Conv2DBackpropFilter), J v falls back to central differences of the outputs,
 * (f(θ + εv) − f(θ − εv)) / 2ε with ε = 1e-3·max(1, ‖θ‖)/‖v‖ (forward passes only; the rest stays
 * exact), and `jvp` / `fallbackReason` say so.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossSpec } from '../losses';
import type { EvalSet } from '../evaluate';
import { ensureSecondOrderGradients } from '../hvp';
import { norm, readParams, trainableVars } from '../params';

export type GgnSplit = 'logits (softmax)' | 'logits (sigmoid)' | 'output';

interface Batch { x: tf.Tensor; y: tf.Tensor; w: number; n: number }

/** Where the GGN of this model and loss is split (see the file comment). */
export function ggnSplit(model: tf.LayersModel, spec: LossSpec): GgnSplit {
  const last = model.layers[model.layers.length - 1];
  const cfg = last?.getConfig() as { activation?: unknown } | undefined;
  const act = last?.getClassName() === 'Softmax' ? 'softmax' : String(cfg?.activation ?? '');
  if (act === 'softmax' && (spec.builtin === 'categoricalCrossentropy' || spec.builtin === 'sparseCategoricalCrossentropy')) return 'logits (softmax)';
  if (act === 'sigmoid' && spec.builtin === 'binaryCrossentropy') return 'logits (sigmoid)';
  return 'output';
}

export class GaussNewtonOperator {
  readonly n: number;
  readonly split: GgnSplit;
  products = 0;
  /** How J v is taken (see the file comment), and why the trick was abandoned. */
  jvp: 'double-backward' | 'finite-difference' = 'double-backward';
  fallbackReason?: string;
  private theta: Promise<Float32Array>;
  private batches: Batch[] = [];
  private vars: tf.Variable[];
  private shapes: number[][];
  private sizes: number[];

  constructor(private model: tf.LayersModel, private spec: LossSpec, set: EvalSet, opts: { batchSize?: number } = {}) {
    const batchSize = opts.batchSize ?? 1000;
    const total = set.x.shape[0];
    if (!(total > 0)) throw new Error('the Gauss–Newton matrix needs at least one example');
    for (let s = 0; s < total; s += batchSize) {
      const m = Math.min(batchSize, total - s);
      this.batches.push({ x: tf.slice(set.x, s, m), y: tf.slice(set.y, s, m), w: m / total, n: m });
    }
    this.vars = trainableVars(model).map((v) => v.read() as tf.Variable);
    this.shapes = this.vars.map((v) => v.shape as number[]);
    this.sizes = this.shapes.map((s) => s.reduce((a, b) => a * b, 1));
    this.n = this.sizes.reduce((a, b) => a + b, 0);
    this.split = ggnSplit(model, spec);
    this.theta = readParams(model);
    this.theta.catch(() => undefined); // awaited where used
  }

  /** The variables set to θ + s·v (s = 0: θ itself). */
  private async shift(v: Float32Array, s: number): Promise<void> {
    const theta = await this.theta;
    let off = 0;
    this.vars.forEach((x, i) => {
      const t = tf.tidy(() => tf.add(tf.tensor(theta.subarray(off, off + this.sizes[i]), this.shapes[i]), tf.mul(tf.tensor(v.subarray(off, off + this.sizes[i]), this.shapes[i]), s)));
      x.assign(t); t.dispose();
      off += this.sizes[i];
    });
  }

  /** J v of every batch by central differences of the outputs (the weights are put back). */
  private async jvpDifferences(v: Float32Array): Promise<tf.Tensor[]> {
    const nv = norm(v);
    if (nv === 0) return this.batches.map((b) => tf.tidy(() => tf.zerosLike(this.out(b.x))));
    const eps = (1e-3 * Math.max(1, norm(await this.theta))) / nv;
    try {
      await this.shift(v, eps);
      const plus = this.batches.map((b) => tf.tidy(() => this.out(b.x)));
      await this.shift(v, -eps);
      return this.batches.map((b, k) => tf.tidy(() => { const d = tf.div(tf.sub(plus[k], this.out(b.x)), 2 * eps); plus[k].dispose(); return d; }));
    } finally {
      await this.shift(v, 0);
    }
  }

  private out(x: tf.Tensor): tf.Tensor {
    return this.model.apply(x, { training: false }) as tf.Tensor;
  }

  /** Jᵀw as one tensor per variable. */
  private vjp(x: tf.Tensor, w: tf.Tensor): tf.Tensor[] {
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(this.out(x), w)) as tf.Scalar, this.vars);
    value.dispose();
    return this.vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
  }

  /** J v (the output's shape) by the double-backward trick. */
  private jvpTrick(x: tf.Tensor, vt: tf.Tensor[], outShape: number[]): tf.Tensor {
    return tf.grad((w: tf.Tensor) => tf.addN(this.vjp(x, w).map((g, i) => tf.sum(tf.mul(g, vt[i])))) as tf.Scalar)(tf.zeros(outShape));
  }

  /** H_L u in the split's coordinates, divided by what the closed forms leave to Jᵀ (see the file comment). */
  private lossCurvature(b: Batch, p: tf.Tensor, u: tf.Tensor): tf.Tensor {
    if (this.split === 'logits (softmax)') {
      const ratio = tf.where(tf.greater(p, 0), tf.div(u, tf.maximum(p, 1e-38)), tf.zerosLike(u));
      return tf.div(tf.sub(ratio, tf.sum(u, -1, true)), b.n);
    }
    if (this.split === 'logits (sigmoid)') {
      const q = tf.mul(p, tf.sub(1, p));
      const classes = p.size / b.n;
      return tf.div(tf.where(tf.greater(q, 0), tf.div(u, tf.maximum(q, 1e-38)), tf.zerosLike(u)), b.n * classes);
    }
    ensureSecondOrderGradients();
    const dl = (z: tf.Tensor) => tf.grad((zz: tf.Tensor) => this.spec.mean(b.y, zz))(z);
    return tf.grad((z: tf.Tensor) => tf.sum(tf.mul(dl(z), u)) as tf.Scalar)(p);
  }

  /** G·v for a flat direction v (length n). */
  async apply(v: Float32Array): Promise<Float32Array> {
    if (v.length !== this.n) throw new Error(`direction has ${v.length} values, the model ${this.n}`);
    this.products++;
    let off = 0;
    const vt = this.shapes.map((s, i) => { const t = tf.tensor(v.subarray(off, off + this.sizes[i]), s, 'float32'); off += this.sizes[i]; return t; });
    let acc: tf.Tensor[] = this.vars.map((x) => tf.zeros(x.shape));
    let jv: tf.Tensor[] = [];
    try {
      if (this.jvp === 'double-backward') {
        try {
          jv = this.batches.map((b) => tf.tidy(() => this.jvpTrick(b.x, vt, this.out(b.x).shape as number[])));
        } catch (e) {
          tf.dispose(jv); jv = [];
          this.jvp = 'finite-difference';
          this.fallbackReason = (e as Error).message.split('\n')[0];
        }
      }
      if (this.jvp === 'finite-difference') jv = await this.jvpDifferences(v);
      this.batches.forEach((b, k) => {
        const next = tf.tidy(() => {
          const p = this.out(b.x);
          const w = this.lossCurvature(b, p, jv[k]);
          return this.vjp(b.x, w).map((g, i) => tf.add(acc[i], tf.mul(g, b.w)));
        });
        tf.dispose(acc);
        acc = next;
      });
      const flat = tf.tidy(() => tf.concat(acc.map((t) => tf.reshape(t, [-1]))));
      try { return (await flat.data()) as Float32Array; } finally { flat.dispose(); }
    } finally {
      tf.dispose(vt); tf.dispose(acc); tf.dispose(jv);
    }
  }

  /** The operator as a function, for Lanczos and the trace. */
  readonly fn = (v: Float32Array): Promise<Float32Array> => this.apply(v);

  dispose(): void {
    for (const b of this.batches) tf.dispose([b.x, b.y]);
    this.batches = [];
  }
}
