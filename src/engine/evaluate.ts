/**
 * Loss and accuracy of a model on a data set at points θ = base + Σ c_k·dir_k of an affine
 * family (a line or a plane through weight space).
 *
 * Fast path (the first-layer linearity trick): when the model is a Sequential whose first
 * layer is Dense on rank-2 input, its pre-activation is linear in θ:
 *   X·W(c) + b(c) = (X·W_base + b_base) + Σ_k c_k (X·W_dir_k + b_dir_k).
 * Those products are computed once per batch; each point then skips the first matmul (the
 * largest one for MNIST-sized inputs). Numbers agree with the straightforward path to float32
 * rounding; a test checks it on random models.
 */
import * as tf from '@tensorflow/tfjs';
import { axpyTensor } from './axpy';
import type { LossSpec } from './losses';
import { AffineParams, ParamLayout, splitFlat } from './params';
import { recomputeBatchNorm } from './batchnorm';
import { stackedSum, stackedTotals, stackPlan, type StackPlan } from './stacked';
import { activeBlas, backendCapabilities, tensorView } from '../backends';
import { DenseEvalBatch, DenseStackForward } from './dense/eval';
import { denseModelPlan } from './dense/plan';
import { setting } from '../shared/switchboard';

export interface EvalSet { x: tf.Tensor; y: tf.Tensor }
export interface Metrics { loss: number; lossSE: number | null; accuracy: number | null }

interface Batch { x: tf.Tensor; y: tf.Tensor; n: number }

function batches(set: EvalSet, batchSize: number): Batch[] {
  const n = set.x.shape[0];
  const out: Batch[] = [];
  for (let s = 0; s < n; s += batchSize) {
    const m = Math.min(batchSize, n - s);
    out.push({ x: tf.slice(set.x, s, m), y: tf.slice(set.y, s, m), n: m });
  }
  return out;
}

/**
 * Accumulates per-batch [Σ loss, Σ loss², Σ correct] on the backend and reads them back once
 * per point (one synchronisation instead of three per batch: per-point overhead matters for
 * small models).
 */
class Accumulator {
  private total: tf.Tensor | undefined;
  private n = 0;
  private readonly hasPer: boolean;
  private readonly hasAcc: boolean;
  constructor(private spec: LossSpec, withAccuracy = true) {
    this.hasPer = !!spec.perExample;
    this.hasAcc = withAccuracy && !!spec.accuracy;
  }
  add(yTrue: tf.Tensor, yPred: tf.Tensor, n: number): void {
    const part = tf.tidy(() => {
      const spec = this.spec;
      let s: tf.Tensor, sq: tf.Tensor;
      if (spec.perExample) {
        const l = spec.perExample(yTrue, yPred);
        s = tf.sum(l); sq = tf.sum(tf.square(l));
      } else {
        s = tf.mul(spec.mean(yTrue, yPred), n); sq = tf.scalar(0);
      }
      const a = this.hasAcc ? tf.sum(spec.accuracy!(yTrue, yPred)) : tf.scalar(0);
      const v = tf.stack([s, sq, a]);
      return this.total ? tf.add(this.total, v) : v;
    });
    this.total?.dispose();
    this.total = part;
    this.n += n;
  }
  /** The [Σ loss, Σ loss², Σ correct] tensor, handed over to the caller (who disposes it). */
  take(): { total: tf.Tensor; finish: (v: ArrayLike<number>) => Metrics } {
    const total = this.total ?? tf.fill([3], NaN);
    this.total = undefined;
    const n = this.n, hasPer = this.hasPer, hasAcc = this.hasAcc;
    return { total, finish: (v) => metricsOf(v, n, hasPer, hasAcc) };
  }
  async result(): Promise<Metrics> {
    const [m] = await readAll([this.take()]);
    return m;
  }
}

function metricsOf(v: ArrayLike<number>, n: number, hasPer: boolean, hasAcc: boolean): Metrics {
  const [sum, sumSq, acc] = [v[0], v[1], v[2]];
  const mean = sum / n;
  const variance = Math.max(0, sumSq / n - mean * mean) * (n / Math.max(1, n - 1));
  return {
    loss: mean,
    lossSE: hasPer ? Math.sqrt(variance / n) : null,
    accuracy: hasAcc ? acc / n : null,
  };
}

/** A point's metrics still on the backend (not read yet). */
export type PendingMetrics = ReturnType<Accumulator['take']>;

/**
 * Reads the metrics of many points with one awaited transfer (a single `data()` of their
 * stacked totals): on WebGPU a read is a round trip through the queue, so a chunk of points
 * costs one, not one per point. Disposes the pending tensors.
 */
export async function readAll(pending: PendingMetrics[]): Promise<Metrics[]> {
  if (pending.length === 0) return [];
  const stacked = tf.stack(pending.map((p) => p.total));
  tf.dispose(pending.map((p) => p.total));
  try {
    const v = await stacked.data();
    return pending.map((p, i) => p.finish(v.subarray(3 * i, 3 * i + 3)));
  } finally { stacked.dispose(); }
}

interface FirstLayerPlan {
  /** Per batch: [pre_base, pre_dir_1, ...]. */
  pre: tf.Tensor[][];
  activation: (t: tf.Tensor) => tf.Tensor;
  rest: tf.layers.Layer[];
}

/** Why the fast path does not apply, or null when it does. */
export function firstLayerTrickBlocker(model: tf.LayersModel, x: tf.Tensor): string | null {
  if (!(model instanceof tf.Sequential)) return 'the model is not a tf.sequential';
  const first = model.layers[0];
  if (!first || first.getClassName() !== 'Dense') return 'the first layer is not Dense';
  if (x.rank !== 2) return 'the input is not rank 2';
  if (first.weights.some((w) => !w.trainable)) return 'the first layer has non-trainable weights';
  return null;
}

export class AffineEvaluator {
  private sets = new Map<string, Batch[]>();
  private plans = new Map<string, FirstLayerPlan>();
  readonly fast: boolean;
  readonly fastReason: string;
  /** Indices (in the trainable variables) of the first layer's weights: unused on the fast path. */
  private firstLayerVars = new Set<number>();

  constructor(
    private model: tf.LayersModel,
    private spec: LossSpec,
    private params: AffineParams,
    layout: ParamLayout,
    base: Float32Array,
    dirs: Float32Array[],
    sets: Record<string, EvalSet>,
    private opts: { fastFirstLayer?: boolean; batchSize?: number; recomputeStatsOn?: tf.Tensor; accuracy?: boolean } = {},
  ) {
    const batchSize = opts.batchSize ?? 1000;
    for (const [k, s] of Object.entries(sets)) this.sets.set(k, batches(s, batchSize));
    const anyX = Object.values(sets)[0]?.x;
    const blocker = opts.fastFirstLayer === false ? 'disabled' : anyX ? firstLayerTrickBlocker(model, anyX) : 'no data';
    this.fast = blocker === null;
    this.fastReason = blocker ?? 'first-layer linearity trick';
    if (this.fast) this.plan(layout, base, dirs);
    if (this.fast && !opts.recomputeStatsOn) this.denseSetup(layout, base, dirs, sets);
    const sp = opts.recomputeStatsOn ? 'BatchNorm statistics are recomputed per point' : stackPlan(model, spec);
    this.stack = typeof sp === 'string' ? undefined : sp;
    this.widest = Math.max(1, ...layout.entries.flatMap((e) => e.shape));
  }
  private stack: StackPlan | undefined;
  private widest: number;
  /**
   * Dense stacks with the BLAS path on: points evaluated on the BLAS without TF.js
   * (dense/eval.ts), from the first layer's precomputed products copied out once.
   */
  private dense?: { forward: DenseStackForward; sets: Map<string, DenseEvalBatch[]>; at?: number[]; accuracy: boolean };
  /** Why points are evaluated through TF.js rather than on the BLAS directly (fast path only). */
  denseNote?: string;

  private denseSetup(layout: ParamLayout, base: Float32Array, dirs: Float32Array[], sets: Record<string, EvalSet>): void {
    const off = !setting('DENSE_EVAL');
    const first = Object.values(sets)[0];
    const plan = off ? { reason: 'turned off by LOSS_LANDSCAPE_DENSE_EVAL' } : denseModelPlan(this.model, this.spec, layout, first.x, first.y);
    if (!('plan' in plan)) { this.denseNote = plan.reason; return; }
    const layers = plan.plan.layers, classes = layers[layers.length - 1].units;
    const sparse = plan.plan.loss === 'sparseCategoricalCrossentropy';
    const accuracy = this.opts.accuracy !== false && !!this.spec.accuracy;
    if (accuracy && classes < 2) { this.denseNote = 'binary accuracy'; return; }
    for (const s of Object.values(sets)) {
      const n = s.x.shape[0];
      if (s.x.size !== n * layers[0].inputs || s.y.size !== (sparse ? n : n * classes)) { this.denseNote = 'a data set does not match the model'; return; }
    }
    const all = [...this.sets.values()].flat();
    const rows = Math.max(1, ...all.map((b) => b.n));
    const stored = { floats: all.reduce((s, b) => s + b.n, 0) * layers[0].units * (1 + dirs.length), arrays: all.length * (1 + dirs.length) };
    const forward = new DenseStackForward(activeBlas()!, layers, plan.plan.loss, accuracy, base, dirs, rows, stored);
    const out = new Map<string, DenseEvalBatch[]>();
    for (const [key, bs] of this.sets) {
      const pre = this.plans.get(key)!.pre;
      out.set(key, bs.map((b, i) => ({
        pre: pre[i].map((t) => forward.store(f32Now(t))),
        y: b.y.dtype === 'float32' ? (b.y.dataSync() as Float32Array) : Float32Array.from(b.y.dataSync() as Int32Array),
        rows: b.n,
      })));
    }
    // the copies replace the backend's tensors (nothing else reads them on this path)
    for (const p of this.plans.values()) p.pre.forEach((t) => tf.dispose(t));
    this.plans.clear();
    this.dense = { forward, sets: out, accuracy };
  }

  /** A point's metrics on the BLAS path (see `dense`). */
  private pendingDense(key: string, coeffs: number[]): PendingMetrics {
    const d = this.dense!;
    const bs = d.sets.get(key);
    if (!bs) throw new Error(`no data set '${key}'`);
    if (!d.at || d.at.length !== coeffs.length || d.at.some((c, k) => c !== coeffs[k])) { d.forward.setPoint(coeffs); d.at = coeffs.slice(); }
    const tot = [0, 0, 0];
    let n = 0;
    for (const b of bs) {
      const t = d.forward.totals(b, coeffs);
      tot[0] += t[0]; tot[1] += t[1]; tot[2] += t[2]; n += b.rows;
    }
    // float64 sums in the closure; the tensor only keeps readAll's one-read-per-chunk shape
    return { total: tf.tensor1d(tot, 'float32'), finish: () => metricsOf(tot, n, true, d.accuracy) };
  }

  /** Whether `pendingMany` evaluates several points per pass here (WebGPU, stackable MLP). */
  get stacks(): boolean {
    return !!this.stack && backendCapabilities().stacking;
  }

  private plan(layout: ParamLayout, base: Float32Array, dirs: Float32Array[]): void {
    const first = this.model.layers[0] as tf.layers.Layer & { activation?: { apply(t: tf.Tensor): tf.Tensor } };
    // by identity, not name: TF.js names are unique per process, a layout may come from a twin model
    const vars = this.model.trainableWeights;
    const idx = first.weights.map((w) => vars.indexOf(w as tf.LayerVariable)).filter((i) => i >= 0);
    this.firstLayerVars = new Set(idx);
    const kernelIdx = idx.find((i) => layout.entries[i].shape.length === 2)!;
    const biasIdx = idx.find((i) => layout.entries[i].shape.length === 1);
    const pick = (flat: Float32Array) => {
      const all = splitFlat(flat, { entries: [layout.entries[kernelIdx], ...(biasIdx !== undefined ? [layout.entries[biasIdx]] : [])], total: 0 });
      return { k: all[0], b: all[1] as tf.Tensor | undefined };
    };
    const weights = [base, ...dirs].map(pick);
    for (const [key, bs] of this.sets) {
      this.plans.set(key, {
        pre: bs.map((b) => weights.map((w) => tf.tidy(() => (w.b ? tf.add(tf.matMul(b.x, w.k), w.b) : tf.matMul(b.x, w.k))))),
        activation: (t) => (first.activation ? first.activation.apply(t) : t),
        rest: this.model.layers.slice(1),
      });
    }
    weights.forEach((w) => tf.dispose([w.k, ...(w.b ? [w.b] : [])]));
  }

  /** Metrics of data set `key` at θ = base + Σ coeffs_k dir_k. */
  async at(coeffs: number[], key: string): Promise<Metrics> {
    const [m] = await readAll([this.pendingAt(coeffs, key)]);
    return m;
  }

  /** Like `at`, read later (see `readAll`): moves θ to the point and queues its evaluation. */
  pendingAt(coeffs: number[], key: string): PendingMetrics {
    this.lastCoeffs = coeffs;
    // the BLAS path forms the point's weights itself (the fast path never left the variables at the point)
    if (this.dense) return this.pendingDense(key, coeffs);
    this.params.set(coeffs, this.fast && !this.opts.recomputeStatsOn ? this.firstLayerVars : undefined);
    if (this.opts.recomputeStatsOn) recomputeBatchNorm(this.model, this.opts.recomputeStatsOn);
    return this.pendingCurrent(key, coeffs);
  }

  /**
   * Metrics of many points with one read: the chunk's points are evaluated one after the
   * other on the backend (θ moved between them) and their totals read back together.
   */
  async many(points: number[][], key: string): Promise<Metrics[]> {
    return readAll(this.pendingMany(points, key));
  }

  /**
   * Queues many points: stacked K at a time in one pass where `stacks` (see ./stacked), else
   * one after the other. θ (the model's variables) is left unspecified afterwards.
   */
  pendingMany(points: number[][], key: string): PendingMetrics[] {
    if (!this.stacks || points.length < 2) return points.map((c) => this.pendingAt(c, key));
    const bs = this.sets.get(key);
    if (!bs) throw new Error(`no data set '${key}'`);
    const rows = Math.max(...bs.map((b) => b.n));
    const maxK = Math.max(1, Math.floor(2 ** 28 / (4 * rows * this.widest))); // ≤ 256 MiB per stacked activation
    const out: PendingMetrics[] = [];
    for (let s = 0; s < points.length; s += maxK) out.push(...this.pendingStacked(points.slice(s, s + maxK), key, bs));
    this.lastCoeffs = points[points.length - 1];
    return out;
  }

  private pendingStacked(points: number[][], key: string, bs: Batch[]): PendingMetrics[] {
    const K = points.length, plan = this.plans.get(key);
    const withAcc = this.opts.accuracy !== false && !!this.spec.accuracy;
    const cache = new Map<number, tf.Tensor>(); // stacked weights, kept across the batches' tidies
    const weights = (i: number) => { let w = cache.get(i); if (!w) { w = tf.keep(this.params.stacked(i, points)); cache.set(i, w); } return w; };
    let total: tf.Tensor | undefined;
    let n = 0;
    bs.forEach((b, bi) => {
      const t = tf.tidy(() => {
        const input = plan ? stackedSum(plan.pre[bi][0], plan.pre[bi].slice(1), points) : b.x;
        const part = stackedTotals(this.stack!, this.spec, withAcc, input, !!plan, b.y, K, weights);
        return total ? tf.add(total, part) : part;
      });
      total?.dispose();
      total = t;
      n += b.n;
    });
    tf.dispose([...cache.values()]);
    const each = tf.unstack(total!);
    total!.dispose();
    return each.map((t) => ({ total: t, finish: (v: ArrayLike<number>) => metricsOf(v, n, true, withAcc) }));
  }

  /** Recomputes BatchNorm statistics at the current point on `x` (update_bn). */
  recomputeStats(x: tf.Tensor): void {
    if (this.fast) this.params.set(this.lastCoeffs); // the fast path left the first layer unwritten
    recomputeBatchNorm(this.model, x);
  }
  private lastCoeffs: number[] = [];

  /** Metrics of the model as it is now (the caller set θ to the point `coeffs`). */
  async current(key: string, coeffs: number[]): Promise<Metrics> {
    const [m] = await readAll([this.pendingCurrent(key, coeffs)]);
    return m;
  }

  /** Like `current`, read later (see `readAll`). */
  pendingCurrent(key: string, coeffs: number[]): PendingMetrics {
    if (this.dense) return this.pendingDense(key, coeffs);
    const bs = this.sets.get(key);
    if (!bs) throw new Error(`no data set '${key}'`);
    const acc = new Accumulator(this.spec, this.opts.accuracy !== false);
    const plan = this.plans.get(key);
    bs.forEach((b, bi) => {
      const yPred = tf.tidy(() => {
        if (!plan) return this.model.apply(b.x, { training: false }) as tf.Tensor;
        const pre = plan.pre[bi];
        let z = pre[0];
        coeffs.forEach((c, k) => { if (c !== 0) z = axpyTensor(z, c, pre[k + 1]); });
        let h = plan.activation(z);
        for (const layer of plan.rest) h = layer.apply(h, { training: false }) as tf.Tensor;
        return h === pre[0] ? tf.clone(h) : h; // never hand out (and later dispose) a precomputed product
      });
      acc.add(b.y, yPred, b.n);
      yPred.dispose();
    });
    return acc.take();
  }

  dispose(): void {
    for (const bs of this.sets.values()) for (const b of bs) tf.dispose([b.x, b.y]);
    for (const p of this.plans.values()) p.pre.forEach((t) => tf.dispose(t));
  }
}

/** A float32 tensor's values (a view of the wasm heap, valid until the next allocation, or a copy). */
function f32Now(t: tf.Tensor): Float32Array {
  return tensorView(t) ?? (t.dataSync() as Float32Array);
}

/** Plain metrics of the model at its current weights. */
export async function evaluateModel(model: tf.LayersModel, spec: LossSpec, set: EvalSet, batchSize = 1000): Promise<Metrics> {
  const acc = new Accumulator(spec);
  for (const b of batches(set, batchSize)) {
    const yPred = tf.tidy(() => model.apply(b.x, { training: false }) as tf.Tensor);
    acc.add(b.y, yPred, b.n);
    tf.dispose([yPred, b.x, b.y]);
  }
  return acc.result();
}
