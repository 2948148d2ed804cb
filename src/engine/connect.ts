/**
 * Mode connectivity (Garipov, Izmailov, Podoprikhin, Vetrov & Wilson 2018): a quadratic Bézier
 * curve between two minima θ_a and θ_b,
 *   θ(t) = (1 − t)²·θ_a + 2t(1 − t)·θ_c + t²·θ_b,   t ∈ [0, 1],
 * whose bend θ_c (initialized at the midpoint (θ_a + θ_b)/2) is trained to minimize
 * E_{t ~ U(0,1)} J(θ(t)): one t per mini-batch (seeded). For a sampled t the model's variables
 * are set to θ(t) and ∂J/∂θ_c = 2t(1 − t)·∇J(θ(t)) (chain rule) is handed to an Adam (or SGD)
 * optimizer over θ_c, kept as tf.variables of our own; θ_a, θ_b, θ_c stay on the backend.
 *
 * The loss along the trained curve and along the straight line θ_a + t·(θ_b − θ_a) is then
 * evaluated at the same t. Both are affine in fixed directions, so one AffineEvaluator (and its
 * first-layer fast path) serves both:
 *   θ(t) = θ_a + 2t·(θ_c − θ_a) + t²·(θ_a − 2θ_c + θ_b),   line: θ_a + t·(θ_b − θ_a).
 *
 * Non-trainable state (BatchNorm moving statistics): evaluation uses `stateA` when given, the
 * model's state otherwise, or, with `bnSet`, statistics recomputed on those inputs at every t (as
 * Garipov et al. do). Training runs the model in training mode (dropout on, BatchNorm on batch
 * statistics).
 * The model's weights and state are restored at the end.
 */
import * as tf from '@tensorflow/tfjs';
import type { ConnectResult } from '../protocol';
import type { LossSpec } from './losses';
import { AffineEvaluator, EvalSet, Metrics, readAll } from './evaluate';
import { chunked, pointsPerRead } from './chunks';
import { linspace } from './grid';
import { AffineParams, ParamLayout, readParams, readState, splitFlat, stateLayout, trainableVars, writeParams, writeState } from './params';
import { mulberry32, permutation } from '../shared/random';
import { hasBatchNorm } from './batchnorm';

export interface ConnectInput {
  model: tf.LayersModel;
  spec: LossSpec;
  layout: ParamLayout;
  thetaA: Float32Array;
  thetaB: Float32Array;
  /** Non-trainable state used for evaluation (default: the model's current state). */
  stateA?: Float32Array;
  /**
   * Inputs on which BatchNorm statistics are recomputed at every evaluated point (Garipov et
   * al.'s update_bn; ./batchnorm). Without it the statistics stay those of `stateA`.
   */
  bnSet?: tf.Tensor;
  train: EvalSet;
  test?: EvalSet;
  /** Points of t in [0, 1] where curve and line are evaluated (default 31, at least 3). */
  points?: number;
  /** Passes over the training data to train θ_c (default 10). */
  epochs?: number;
  /** Mini-batch size (default 64). */
  batchSize?: number;
  /** Learning rate (default 0.003 for Adam, 0.05 for SGD). */
  lr?: number;
  /** Optimizer of θ_c (default 'adam'). */
  optimizer?: 'adam' | 'sgd';
  seed?: number;
  onProgress?: (done: number, total: number, message: string) => void | Promise<void>;
}


let curveCounter = 0;

/** Trains the bend θ_c of the Bézier curve between θ_a and θ_b; returns it and the epoch means. */
export async function trainBezier(input: ConnectInput): Promise<{ thetaC: Float32Array; lossPerEpoch: number[]; seconds: number }> {
  const { model, spec, layout, thetaA, thetaB, train } = input;
  const epochs = input.epochs ?? 10;
  const batchSize = input.batchSize ?? 64;
  const kind = input.optimizer ?? 'adam';
  const lr = input.lr ?? (kind === 'adam' ? 0.003 : 0.05);
  const n = train.x.shape[0];
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const total = epochs * stepsPerEpoch;
  const started = Date.now();
  const vars = trainableVars(model).map((v) => v.read() as tf.Variable);
  const a = splitFlat(thetaA, layout), b = splitFlat(thetaB, layout);
  const id = ++curveCounter;
  const c = tf.tidy(() => a.map((ai, i) => tf.variable(tf.mul(tf.add(ai, b[i]), 0.5), true, `bezier_bend_${id}_${i}`)));
  const optimizer = kind === 'adam' ? tf.train.adam(lr) : tf.train.sgd(lr);
  const rng = mulberry32((input.seed ?? 1) * 1000003 + 99);
  const lossPerEpoch: number[] = [];
  try {
    let step = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = permutation(n, rng);
      // the step losses stay on the backend and are read once per epoch (no per-step sync)
      const values: tf.Tensor[] = [];
      for (let s = 0; s < n; s += batchSize) {
        const t = rng();
        const w0 = (1 - t) * (1 - t), w1 = 2 * t * (1 - t), w2 = t * t;
        vars.forEach((v, i) => {
          const th = tf.tidy(() => tf.addN([tf.mul(a[i], w0), tf.mul(c[i], w1), tf.mul(b[i], w2)]));
          v.assign(th);
          th.dispose();
        });
        const idx = tf.tensor1d(order.slice(s, s + batchSize), 'int32');
        const value = tf.tidy(() => {
          const xb = tf.gather(train.x, idx), yb = tf.gather(train.y, idx);
          const { value, grads } = tf.variableGrads(() => spec.mean(yb, model.apply(xb, { training: true }) as tf.Tensor), vars);
          // ∂J(θ(t))/∂θ_c = 2t(1 − t)·∇J(θ(t))
          optimizer.applyGradients(vars.map((v, i) => ({ name: c[i].name, tensor: grads[v.name] ? tf.mul(grads[v.name], w1) : tf.zerosLike(c[i]) })));
          return value;
        });
        idx.dispose();
        values.push(value);
        step++;
        await input.onProgress?.(step, total, 'training the curve');
      }
      const all = tf.stack(values);
      tf.dispose(values);
      const js = await all.data();
      all.dispose();
      let sum = 0;
      for (const j of js) {
        if (!Number.isFinite(j)) throw new Error(`the loss on the curve became ${j} (epoch ${epoch + 1}): lower the learning rate`);
        sum += j;
      }
      lossPerEpoch.push(sum / stepsPerEpoch);
    }
    const thetaC = new Float32Array(layout.total);
    const cs = await Promise.all(c.map((ci) => ci.data()));
    cs.forEach((ci, i) => thetaC.set(ci as Float32Array, layout.entries[i].offset));
    return { thetaC, lossPerEpoch, seconds: (Date.now() - started) / 1000 };
  } finally {
    tf.dispose([...a, ...b, ...c]);
    optimizer.dispose();
  }
}

const maxOf = (xs: number[]) => xs.reduce((m, x) => (x > m ? x : m), -Infinity);

/**
 * Trains a Bézier curve between θ_a and θ_b and evaluates the train (and test) loss along it and
 * along the straight line at `points` values of t in [0, 1].
 */
export async function connectAnalysis(input: ConnectInput): Promise<ConnectResult> {
  const { model, spec, layout, thetaA, thetaB } = input;
  if (thetaA.length !== layout.total || thetaB.length !== layout.total) {
    throw new Error(`θ_a / θ_b have ${thetaA.length} / ${thetaB.length} values, the model ${layout.total}`);
  }
  const points = Math.max(3, input.points ?? 31);
  const savedTheta = await readParams(model), savedState = await readState(model);
  const epochs = input.epochs ?? 10;
  const trainSteps = epochs * Math.ceil(input.train.x.shape[0] / (input.batchSize ?? 64));
  const total = trainSteps + 2 * points;
  try {
    const { thetaC, lossPerEpoch, seconds } = await trainBezier({
      ...input, onProgress: (d, _t, m) => input.onProgress?.(d, total, m),
    });
    // training-mode passes moved any BatchNorm statistics: evaluate with stateA or the saved state
    if (stateLayout(model).total > 0) writeState(model, input.stateA ?? savedState);
    const p = layout.total;
    const d1 = new Float32Array(p), d2 = new Float32Array(p), d3 = new Float32Array(p);
    for (let i = 0; i < p; i++) {
      d1[i] = thetaC[i] - thetaA[i];
      d2[i] = thetaA[i] - 2 * thetaC[i] + thetaB[i];
      d3[i] = thetaB[i] - thetaA[i];
    }
    const dirs = [d1, d2, d3];
    const params = new AffineParams(trainableVars(model), layout, thetaA, dirs);
    const sets: Record<string, EvalSet> = { train: input.train, ...(input.test ? { test: input.test } : {}) };
    const ev = new AffineEvaluator(model, spec, params, layout, thetaA, dirs, sets,
      { recomputeStatsOn: input.bnSet && hasBatchNorm(model) ? input.bnSet : undefined });
    const t = linspace(0, 1, points);
    const curve = { train: [] as Metrics[], test: [] as (Metrics | undefined)[] };
    const line = { train: [] as Metrics[], test: [] as (Metrics | undefined)[] };
    try {
      let done = trainSteps;
      for (const [which, out] of [['curve', curve], ['line', line]] as const) {
        for (const part of chunked(t, pointsPerRead())) { // one read per chunk of points
          const pts = part.map((ti) => (which === 'curve' ? [2 * ti, ti * ti, 0] : [0, 0, ti]));
          // K points per pass where the evaluator stacks (GPU); else point by point, test after train
          const tr = ev.stacks ? ev.pendingMany(pts, 'train') : [], te = ev.stacks && input.test ? ev.pendingMany(pts, 'test') : [];
          if (!ev.stacks) pts.forEach((c) => { tr.push(ev.pendingAt(c, 'train')); if (input.test) te.push(ev.pendingCurrent('test', c)); });
          const ms = await readAll([...tr, ...te]);
          for (let k = 0; k < part.length; k++) {
            out.train.push(ms[k]);
            out.test.push(input.test ? ms[part.length + k] : undefined);
            await input.onProgress?.(++done, total, `loss along the ${which}`);
          }
        }
      }
    } finally {
      ev.dispose(); params.dispose();
    }
    const loss = (ms: (Metrics | undefined)[]) => ms.map((m) => (m ? m.loss : NaN));
    const acc = (ms: (Metrics | undefined)[]) => ms.map((m) => (m ? m.accuracy : null));
    const curveTestLoss = loss(curve.test), lineTestLoss = loss(line.test);
    const curveTrainLoss = loss(curve.train), lineTrainLoss = loss(line.train);
    return {
      t, curveTrainLoss, curveTestLoss, lineTrainLoss, lineTestLoss,
      curveMaxTestLoss: input.test ? maxOf(curveTestLoss) : NaN,
      lineMaxTestLoss: input.test ? maxOf(lineTestLoss) : NaN,
      endpointTestLoss: [lineTestLoss[0], lineTestLoss[points - 1]],
      trainSeconds: seconds,
      curveMaxTrainLoss: maxOf(curveTrainLoss), lineMaxTrainLoss: maxOf(lineTrainLoss),
      endpointTrainLoss: [lineTrainLoss[0], lineTrainLoss[points - 1]],
      curveTrainAccuracy: acc(curve.train), curveTestAccuracy: acc(curve.test),
      lineTrainAccuracy: acc(line.train), lineTestAccuracy: acc(line.test),
      lossPerEpoch,
    };
  } finally {
    writeParams(model, savedTheta);
    if (savedState.length) writeState(model, savedState);
  }
}
