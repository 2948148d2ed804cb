/**
 * Gradients and Hessian-vector products of the training loss
 *   J(θ) = Σ_b (n_b / n) · spec.mean(y_b, model(x_b))
 * over an EvalSet split into batches (the batch-size-weighted average of the batch means, i.e.
 * the mean over the whole set for per-example losses), at the model's current weights.
 * The model runs in inference mode (`training: false`: no dropout, BatchNorm uses its moving
 * statistics), the same function `evaluateModel` reports.
 *
 * Hv is computed by double backprop, Hv = ∇_θ (∇_θ J · v): TF.js records the backward pass on
 * the tape when a gradient is taken inside another gradient (the ops of Dense, relu, softmax and
 * the crossentropy / squared-error losses all have differentiable gradients). If that fails for
 * some op of the model (no second-order gradient registered, no connection), the operator falls
 * back to central differences of gradients
 *   Hv ≈ (∇J(θ + εv) − ∇J(θ − εv)) / (2ε),  ε = fdStep · max(1, ‖θ‖) / ‖v‖,
 * and says so in `method` / `fallbackReason`. In 'auto' mode double backprop is also checked
 * once against finite differences on the first 256 examples (see `verify`), which catches ops
 * whose gradients run but are not differentiable on the tape.
 *
 * Second-order note: some gradients contain comparison ops (clipByValue's gradient, used by the
 * crossentropy losses, masks dy with logicalAnd(x ≥ lo, x ≤ hi)); in a double backprop those ops
 * sit on the tape and TF.js registers no gradient for most of them. Their outputs are boolean
 * (piecewise constant in the inputs), so their gradient is zero: `ensureSecondOrderGradients`
 * registers exactly that for the comparison / logical kernels that have none (never replacing an
 * existing registration). First-order gradients never reach these ops, so training is unaffected.
 * Kernels that save their output for the gradient (softmax, sigmoid, tanh, exp) need the tape put
 * in dependency order before the outer backward pass (`sortActiveTape`); without it softmax's
 * second derivative is silently wrong. What still fails (elu's fused gradient kernel has no
 * gradient; tf.losses.softmaxCrossEntropy's customGrad saves an internal tensor) is handled by
 * the fallback and the check.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossSpec } from './losses';
import type { EvalSet } from './evaluate';
import { norm, paramLayout, readParams, trainableVars } from './params';
import { activeBlas } from '../backends';
import { DenseStackHessian } from './dense/hvp';
import { DenseStackPlan, denseModelPlan } from './dense/plan';
import { setting } from '../shared/switchboard';

/**
 * 'r-op': exact products by the R-operator for Dense stacks on the BLAS (dense/hvp.ts),
 * taken in 'auto' mode where the model qualifies (./dense/plan.ts: denseModelPlan).
 */
export type HvpMethod = 'r-op' | 'double-backprop' | 'finite-difference';

export interface HvpOptions {
  /** Examples per batch (default 1000). */
  batchSize?: number;
  /**
   * 'auto' (default): the R-operator on the BLAS for Dense stacks, else double backprop, falling
   * back to finite differences if it throws or fails the check.
   */
  method?: HvpMethod | 'auto';
  /** Relative finite-difference step (default 3e-4; see the file comment). */
  fdStep?: number;
}


/** Boolean-valued kernels that get a zero gradient when TF.js has none registered. */
const BOOLEAN_KERNELS: Record<string, string[]> = {
  LogicalAnd: ['a', 'b'], LogicalOr: ['a', 'b'], LogicalXor: ['a', 'b'], LogicalNot: ['x'],
  Equal: ['a', 'b'], NotEqual: ['a', 'b'], Greater: ['a', 'b'], GreaterEqual: ['a', 'b'],
  Less: ['a', 'b'], LessEqual: ['a', 'b'],
};

/** Examples the double-backprop check ('auto' mode) runs on. */
const CHECK_EXAMPLES = 256;

let secondOrderReady = false;

/** Registers zero gradients for boolean-valued kernels that have none (idempotent). */
export function ensureSecondOrderGradients(): string[] {
  if (secondOrderReady) return [];
  secondOrderReady = true;
  const added: string[] = [];
  for (const [kernelName, inputs] of Object.entries(BOOLEAN_KERNELS)) {
    if (tf.getGradient(kernelName)) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: inputs,
      gradFunc: (_dy, saved) => Object.fromEntries(inputs.map((name, i) => [name, () => tf.zeros(saved[i].shape, 'float32')])),
    });
    added.push(kernelName);
  }
  return added;
}

type TapeNode = { outputs: tf.Tensor[]; inputs: Record<string, tf.Tensor> };

/**
 * Puts the gradient tape in dependency order. When a kernel saves its *output* for its gradient
 * (softmax, sigmoid, tanh, exp, …), the engine records the clone of that output before the
 * kernel's own node, so a second backward pass would see the saved output as a constant and drop
 * its dependence on θ (softmax's Hessian came out 40 % off). A stable topological sort (each node
 * after the producers of its inputs, the original order otherwise) reconnects it. Returns false
 * when the engine's tape is not where this expects it.
 */
function sortActiveTape(): boolean {
  const state = (tf.engine() as unknown as { state?: { activeTape?: TapeNode[] } }).state;
  const tape = state?.activeTape;
  if (!Array.isArray(tape)) return false;
  const producer = new Map<number, number>();
  tape.forEach((node, i) => node.outputs.forEach((o) => { if (o) producer.set(o.id, i); }));
  const emitted = new Uint8Array(tape.length);
  const order: TapeNode[] = [];
  const visit = (root: number) => {
    // iterative DFS: emit the producers of a node's inputs before the node itself
    const stack: Array<[number, boolean]> = [[root, false]];
    while (stack.length) {
      const [i, expanded] = stack.pop()!;
      if (emitted[i] === 1) continue;
      if (expanded) { emitted[i] = 1; order.push(tape[i]); continue; }
      emitted[i] = 2; // in progress
      stack.push([i, true]);
      const inputs = Object.values(tape[i].inputs);
      for (let k = inputs.length - 1; k >= 0; k--) {
        const p = inputs[k] ? producer.get(inputs[k].id) : undefined;
        if (p !== undefined && emitted[p] === 0) stack.push([p, false]);
      }
    }
  };
  for (let i = 0; i < tape.length; i++) if (emitted[i] === 0) visit(i);
  for (let i = 0; i < order.length; i++) tape[i] = order[i];
  return true;
}

interface Batch { x: tf.Tensor; y: tf.Tensor; w: number }

/**
 * The Hessian of the training loss at the model's weights when constructed, as an operator on
 * flat vectors (in the `paramLayout` order). Call `dispose()` when done. With the
 * finite-difference method the model's weights are moved during a product and put back after.
 */
export class HessianOperator {
  readonly n: number;
  method: HvpMethod;
  /** Why double backprop was abandoned (finite differences in use), if it was. */
  fallbackReason?: string;
  /** Hessian-vector products computed so far. */
  products = 0;
  /** The one-time check of double backprop against finite differences ('auto' mode). */
  check?: { disagreement: number; fdConsistency: number };
  private checked = false;
  private checker?: HessianOperator;
  private checkAttempts = 0;
  private batches: Batch[] = [];
  private vars: tf.Variable[];
  private shapes: number[][];
  private sizes: number[];
  /** θ at construction, read without blocking (the copy is taken synchronously, see readFlat). */
  private theta: Promise<Float32Array>;
  private fdStep: number;
  private auto: boolean;
  private total: number;
  /** The Dense stack's plan when the R-operator is used; its operator and the batches' data, made at the first product. */
  private densePlan?: DenseStackPlan;
  private dense?: DenseStackHessian;
  private denseData: { x: Float32Array; y: Float32Array }[] = [];
  /** Why the R-operator is not used ('auto' mode), if it is not. */
  denseNote?: string;

  constructor(private model: tf.LayersModel, private spec: LossSpec, set: EvalSet, opts: HvpOptions = {}) {
    const batchSize = opts.batchSize ?? 1000;
    const total = set.x.shape[0];
    if (!(total > 0)) throw new Error('the Hessian needs at least one example');
    for (let s = 0; s < total; s += batchSize) {
      const m = Math.min(batchSize, total - s);
      this.batches.push({ x: tf.slice(set.x, s, m), y: tf.slice(set.y, s, m), w: m / total });
    }
    this.vars = trainableVars(model).map((v) => v.read() as tf.Variable);
    this.shapes = this.vars.map((v) => v.shape as number[]);
    this.sizes = this.shapes.map((s) => s.reduce((a, b) => a * b, 1));
    this.n = this.sizes.reduce((a, b) => a + b, 0);
    this.theta = readParams(model);
    this.theta.catch(() => undefined); // awaited where used
    this.method = opts.method === 'finite-difference' ? 'finite-difference' : opts.method === 'r-op' ? 'r-op' : 'double-backprop';
    this.fdStep = opts.fdStep ?? 3e-4;
    this.auto = (opts.method ?? 'auto') === 'auto';
    this.total = total;
    if (this.auto || this.method === 'r-op') {
      const off = !setting('DENSE_HVP');
      const plan = off ? { reason: 'turned off by LOSS_LANDSCAPE_DENSE_HVP' } : denseModelPlan(model, spec, paramLayout(model), set.x, set.y);
      if ('plan' in plan) { this.densePlan = plan.plan; this.method = 'r-op'; } else {
        this.denseNote = plan.reason;
        if (this.method === 'r-op') throw new Error(`the R-operator needs a Dense stack on the BLAS: ${plan.reason}`);
      }
    }
  }

  /** H·v by the R-operator on the BLAS (exact; no tape). */
  private async hvpDense(v: Float32Array): Promise<Float32Array> {
    const plan = this.densePlan!;
    this.dense ??= new DenseStackHessian(activeBlas()!, plan.layers, plan.loss, await this.theta, this.total);
    const out = new Float32Array(this.n);
    let start = 0;
    this.batches.forEach((b, k) => {
      // copies, read once: kept by the operator's cache across products
      const data = this.denseData[k] ??= { x: b.x.dataSync() as Float32Array, y: Float32Array.from(b.y.dataSync()) };
      this.dense!.accumulate(start, data.x, data.y, v, out);
      start += b.x.shape[0];
    });
    return out;
  }

  /** The loss on the batch, in inference mode. */
  private batchLoss(b: Batch): tf.Scalar {
    return this.spec.mean(b.y, this.model.apply(b.x, { training: false }) as tf.Tensor);
  }

  private split(v: Float32Array): tf.Tensor[] {
    let off = 0;
    return this.shapes.map((s, i) => {
      const t = tf.tensor(v.subarray(off, off + this.sizes[i]), s, 'float32');
      off += this.sizes[i];
      return t;
    });
  }

  /** The tensors as one flat vector: one concat on the backend, one awaited read. */
  private async flatten(ts: tf.Tensor[]): Promise<Float32Array> {
    if (ts.length === 0) return new Float32Array(0);
    const flat = tf.tidy(() => tf.concat(ts.map((t) => tf.reshape(t, [-1]))));
    try { return (await flat.data()) as Float32Array; } finally { flat.dispose(); }
  }

  /** Per-variable gradients of the batch loss, zeros where the loss does not depend on a variable. */
  private batchGrads(b: Batch): { value: tf.Scalar; grads: tf.Tensor[] } {
    const { value, grads } = tf.variableGrads(() => this.batchLoss(b), this.vars);
    return { value, grads: this.vars.map((v) => grads[v.name] ?? tf.zerosLike(v)) };
  }

  /** Loss and flat gradient at the model's current weights. */
  async gradient(): Promise<{ loss: number; grad: Float32Array }> {
    const acc: tf.Tensor[] = this.vars.map((v) => tf.zeros(v.shape));
    const losses: tf.Tensor[] = [];
    for (const b of this.batches) {
      const { value, grads } = this.batchGrads(b);
      losses.push(value);
      grads.forEach((g, i) => {
        const next = tf.tidy(() => tf.add(acc[i], tf.mul(g, b.w)));
        acc[i].dispose(); acc[i] = next;
      });
      tf.dispose(grads);
    }
    const lt = tf.stack(losses);
    tf.dispose(losses);
    try {
      const [lv, grad] = await Promise.all([lt.data(), this.flatten(acc)]);
      let loss = 0;
      this.batches.forEach((b, k) => { loss += lv[k] * b.w; }); // the same sum, in the same order, as before
      return { loss, grad };
    } finally {
      lt.dispose(); tf.dispose(acc);
    }
  }

  private async hvpDouble(v: Float32Array): Promise<Float32Array> {
    ensureSecondOrderGradients();
    const vt = this.split(v);
    const acc: tf.Tensor[] = this.vars.map((x) => tf.zeros(x.shape));
    try {
      for (const b of this.batches) {
        const hv = tf.tidy(() => {
          const { grads } = tf.variableGrads(() => {
            const inner = this.batchGrads(b);
            const gv = tf.addN(inner.grads.map((g, i) => tf.sum(tf.mul(g, vt[i])))) as tf.Scalar;
            if (!sortActiveTape()) throw new Error('the TF.js gradient tape is not accessible');
            return gv;
          }, this.vars);
          return this.vars.map((x) => grads[x.name] ?? tf.zerosLike(x));
        });
        hv.forEach((h, i) => {
          const next = tf.tidy(() => tf.add(acc[i], tf.mul(h, b.w)));
          acc[i].dispose(); acc[i] = next;
        });
        tf.dispose(hv);
      }
      return await this.flatten(acc);
    } finally {
      tf.dispose(vt); tf.dispose(acc);
    }
  }

  private async writeShifted(v: Float32Array, eps: number): Promise<void> {
    const theta = await this.theta;
    let off = 0;
    this.vars.forEach((x, i) => {
      const t = tf.tidy(() => tf.add(
        tf.tensor(theta.subarray(off, off + this.sizes[i]), this.shapes[i]),
        tf.mul(tf.tensor(v.subarray(off, off + this.sizes[i]), this.shapes[i]), eps)));
      x.assign(t);
      t.dispose();
      off += this.sizes[i];
    });
  }

  private async hvpFiniteDifference(v: Float32Array, stepScale = 1): Promise<Float32Array> {
    const nv = norm(v);
    if (nv === 0) return new Float32Array(this.n);
    const eps = (stepScale * this.fdStep * Math.max(1, norm(await this.theta))) / nv;
    try {
      await this.writeShifted(v, eps);
      const gp = (await this.gradient()).grad;
      await this.writeShifted(v, -eps);
      const gm = (await this.gradient()).grad;
      const out = new Float32Array(this.n);
      for (let i = 0; i < this.n; i++) out[i] = (gp[i] - gm[i]) / (2 * eps);
      return out;
    } finally {
      await this.writeShifted(v, 0);
    }
  }

  /**
   * In 'auto' mode: compares a double-backprop product with central differences at two step
   * sizes, on a subsample. When the two difference quotients agree with each other (within 2 %, so
   * they can be trusted: no ReLU kink in between) but not with double backprop (over 10 %), some
   * op's gradient is not differentiable on the tape (e.g. a customGrad that saves a tensor
   * computed inside it), and the operator switches to finite differences. When the two quotients
   * disagree (a kink in between) the check is inconclusive and is repeated on the next product,
   * three times at most.
   */
  private async verify(v: Float32Array): Promise<void> {
    // on a subsample: the check is about the model's ops, not the data, and costs 3 products
    // (1 + 2 × 2 gradients) — on all of 2,000 examples that was a quarter of a 20-step Lanczos
    const sub = this.checker ??= this.subsample(CHECK_EXAMPLES);
    const hv = await sub.hvpDouble(v);
    const a = await sub.hvpFiniteDifference(v, 1), b = await sub.hvpFiniteDifference(v, 1 / 3);
    const rel = (x: Float32Array, y: Float32Array) => {
      let d = 0, m = 0;
      for (let i = 0; i < x.length; i++) { d += (x[i] - y[i]) ** 2; m += y[i] ** 2; }
      return m > 0 ? Math.sqrt(d / m) : Math.sqrt(d) === 0 ? 0 : Infinity;
    };
    const fdConsistency = rel(a, b), disagreement = rel(hv, a);
    this.check = { disagreement, fdConsistency };
    this.checkAttempts++;
    this.checked = fdConsistency < 0.02; // else inconclusive: try again with the next vector (3 times at most)
    if (fdConsistency < 0.02 && disagreement > 0.1) {
      throw new Error(`double backprop disagrees with finite differences (${(100 * disagreement).toFixed(1)} %)`);
    }
  }

  /** The same loss on the first `count` examples (for the check), in one batch. */
  private subsample(count: number): HessianOperator {
    const x = this.batches[0].x, y = this.batches[0].y;
    const m = Math.min(count, x.shape[0]);
    const xs = tf.slice(x, 0, m), ys = tf.slice(y, 0, m);
    try {
      return new HessianOperator(this.model, this.spec, { x: xs, y: ys }, { batchSize: m, method: 'double-backprop', fdStep: this.fdStep });
    } finally {
      tf.dispose([xs, ys]);
    }
  }

  /** H·v for a flat direction v (length n). */
  async hvp(v: Float32Array): Promise<Float32Array> {
    if (v.length !== this.n) throw new Error(`direction has ${v.length} values, the model ${this.n}`);
    this.products++;
    if (this.method === 'r-op') return this.hvpDense(v);
    if (this.method === 'double-backprop') {
      try {
        const r = await this.hvpDouble(v);
        if (!this.auto) return r;
        if (!r.every(Number.isFinite)) throw new Error('double backprop gave non-finite values');
        if (!this.checked && this.checkAttempts < 3) await this.verify(v);
        return r;
      } catch (e) {
        if (!this.auto) throw e;
        this.method = 'finite-difference';
        this.fallbackReason = (e as Error).message.split('\n')[0];
      }
    }
    return this.hvpFiniteDifference(v);
  }

  /** The operator as a function, for `lanczos` / `hutchinson`. */
  readonly apply = (v: Float32Array): Promise<Float32Array> => this.hvp(v);

  dispose(): void {
    for (const b of this.batches) tf.dispose([b.x, b.y]);
    this.batches = [];
    this.checker?.dispose();
    this.checker = undefined;
  }
}

/** Loss and flat gradient of the training loss at the model's current weights. */
export async function gradient(model: tf.LayersModel, spec: LossSpec, set: EvalSet, opts: { batchSize?: number } = {}): Promise<{ loss: number; grad: Float32Array }> {
  const op = new HessianOperator(model, spec, set, opts);
  try { return await op.gradient(); } finally { op.dispose(); }
}

/** One Hessian-vector product at the model's current weights, and the method used. */
export async function hvp(model: tf.LayersModel, spec: LossSpec, set: EvalSet, v: Float32Array, opts: HvpOptions = {}): Promise<{ hv: Float32Array; method: HvpMethod }> {
  const op = new HessianOperator(model, spec, set, opts);
  try { const hv = await op.hvp(v); return { hv, method: op.method }; } finally { op.dispose(); }
}
