/**
 * Deterministic training that records the path: θ₀, θ_T, up to `maxSnapshots` snapshots taken
 * at a fixed step stride (memory stays bounded whatever the run length), and the loss per step.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossSpec } from './losses';
import { mulberry32, permutation } from '../shared/random';
import { axpyTensor, hasFusedAxpy } from './axpy';
import { flatTensor, readFlatNow, readParams, readState, paramLayout, ParamLayout, trainableVars, writeFlat } from './params';
import { adviseHugePages } from '../backends/native/huge-pages';
import { DenseStackPlan, denseStackPlan, isPlainSgd } from './dense/plan';
import { DenseStackTrainer } from './dense/train';

/** Steps between two reads of the recorded losses (and snapshots). */
const READ_EVERY = 64;

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  seed: number;
  shuffle: boolean;
  /** Upper bound on stored snapshots (θ₀ and θ_T included). */
  maxSnapshots?: number;
  /** Upper bound on bytes of stored snapshots (default 384 MiB). */
  maxSnapshotBytes?: number;
  onEpoch?: (epoch: number, meanLoss: number, stepsDone: number, totalSteps: number) => void | Promise<void>;
  onStep?: (step: number, totalSteps: number) => void;
  /** Stop after this many steps (the last epoch then ends early). */
  maxSteps?: number;
  /** Steps after which θ and the state are copied into the record's `captured` (e.g. spawn points). */
  captureAt?: number[];
}

export interface TrainRecord {
  layout: ParamLayout;
  theta0: Float32Array;
  thetaT: Float32Array;
  state0: Float32Array;
  stateT: Float32Array;
  /** Snapshots θ_t (including θ₀ first and θ_T last) and the step each was taken after. */
  snapshots: Float32Array[];
  snapshotSteps: number[];
  lossPerEpoch: number[];
  lossPerStep: Float32Array;
  steps: number;
  /**
   * How the steps were computed: 'blas-dense' (the Dense stack's steps written on the BLAS,
   * ./dense/) or 'autodiff' (TF.js's gradients); `stepsNote` says why not 'blas-dense'.
   * Absent where nothing was trained (a loaded model).
   */
  stepsOn?: 'blas-dense' | 'autodiff';
  stepsNote?: string;
  /** With `captureAt`: θ and the state after each of those steps that was reached. */
  captured?: Array<{ step: number; theta: Float32Array; state: Float32Array }>;
}

export class NonFiniteLossError extends Error {
  constructor(readonly epoch: number, readonly step: number, readonly value: number) {
    super(`the training loss became ${value} at epoch ${epoch + 1}, step ${step + 1}: lower the learning rate, check the data for NaN, or clip the predictions`);
  }
}

/**
 * One SGD step with the update as one kernel (./axpy: θ + (−lr)·g in one pass), where the
 * backend has it (the BLAS path); TF.js's SGDOptimizer does Multiply then Add. The same
 * arithmetic up to the rounding of the fused multiply-add. Counts the step like the optimizer.
 */
function sgdStep(optimizer: tf.SGDOptimizer, loss: () => tf.Scalar, varList: tf.Variable[]): tf.Scalar {
  const { value, grads } = optimizer.computeGradients(loss, varList);
  const alpha = -learningRate(optimizer);
  for (const v of varList) {
    const g = grads[v.name];
    if (!g) continue;
    v.assign(axpyTensor(v, alpha, g));
  }
  tf.dispose(Object.values(grads));
  countStep(optimizer);
  return value;
}

const learningRate = (o: tf.SGDOptimizer) => (o as unknown as { learningRate: number }).learningRate;
const countStep = (o: tf.Optimizer) => (o as unknown as { incrementIterations(): void }).incrementIterations();

/**
 * The snapshots between θ₀ and θ_T as views of one buffer, allocated at the first one: one
 * allocation instead of one per snapshot (each fresh 7.5 MB ArrayBuffer of the 784-1024-1024-10
 * MLP also pushed V8 towards another full GC by its external memory), on huge pages where Linux
 * gives them (filling fresh memory is mostly page faults).
 */
function snapshotArena(size: number, count: number): { next(): Float32Array | null } {
  let buffer: Float32Array | null = null, used = 0;
  return {
    next() {
      if (used >= count || size === 0) return null;
      if (!buffer) { buffer = new Float32Array(size * count); adviseHugePages(buffer); }
      return buffer.subarray(size * used, size * ++used);
    },
  };
}

/** How a training's steps are computed: TF.js's autodiff, or the Dense stack's BLAS steps. */
interface Stepper {
  /** One step on the examples `rows`: the batch's mean loss (a scalar on the backend, or read). */
  step(rows: number[]): tf.Scalar | number;
  /** θ now copied into `into`, where that needs no kernel; else false (see tensor). */
  now(into: Float32Array): boolean;
  /** θ now as a flat tensor (read later, at a flush). */
  tensor(): tf.Tensor;
  /** Puts θ into the model's variables (the BLAS steps keep their own copy). */
  sync(): void;
}

function autodiffStepper(model: tf.LayersModel, optimizer: tf.Optimizer, spec: LossSpec, x: tf.Tensor, y: tf.Tensor): Stepper {
  const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const sgdFused = isPlainSgd(optimizer) && hasFusedAxpy();
  const vars = trainableVars(model);
  return {
    step(rows) {
      const idx = tf.tensor1d(rows, 'int32');
      try {
        return tf.tidy((): tf.Scalar => {
          const xb = tf.gather(x, idx);
          const yb = tf.gather(y, idx);
          const loss = () => spec.mean(yb, model.apply(xb, { training: true }) as tf.Tensor);
          const c = sgdFused ? sgdStep(optimizer as tf.SGDOptimizer, loss, varList) : optimizer.minimize(loss, true, varList);
          if (!c) throw new Error('the optimizer returned no cost');
          return c;
        });
      } finally { idx.dispose(); }
    },
    // wasm: copied from the heap now (no kernel, no pending tensor)
    now: (into) => readFlatNow(vars, into) !== null,
    tensor: () => flatTensor(vars),
    sync() { /* the variables are θ */ },
  };
}

function denseStepper(model: tf.LayersModel, optimizer: tf.SGDOptimizer, plan: DenseStackPlan, layout: ParamLayout,
  theta0: Float32Array, batchSize: number, x: tf.Tensor, y: tf.Tensor): Stepper {
  const trainer = new DenseStackTrainer(plan, theta0.slice(), batchSize, x, y);
  const vars = trainableVars(model);
  let synced = true;
  return {
    step(rows) {
      synced = false;
      const loss = trainer.run(rows, learningRate(optimizer));
      countStep(optimizer);
      return loss;
    },
    now: (into) => { into.set(trainer.theta); return true; },
    tensor: () => tf.tensor1d(trainer.theta),
    sync() {
      if (!synced) writeFlat(vars, trainer.theta, layout);
      synced = true;
    },
  };
}

export async function train(model: tf.LayersModel, optimizer: tf.Optimizer, spec: LossSpec,
  x: tf.Tensor, y: tf.Tensor, opts: TrainOptions): Promise<TrainRecord> {
  const n = x.shape[0];
  if (y.shape[0] !== n) throw new Error(`data: x has ${n} examples but y has ${y.shape[0]}`);
  const layout = paramLayout(model);
  const stepsPerEpoch = Math.ceil(n / opts.batchSize);
  const totalSteps = Math.min(stepsPerEpoch * opts.epochs, opts.maxSteps ?? Infinity);
  const maxBytes = opts.maxSnapshotBytes ?? 384 * 2 ** 20;
  const cap = Math.max(2, Math.min(opts.maxSnapshots ?? 201, Math.floor(maxBytes / (4 * Math.max(1, layout.total)))));
  const stride = Math.max(1, Math.ceil(totalSteps / (cap - 1)));

  const theta0 = await readParams(model);
  const state0 = await readState(model);
  const snapshots: Float32Array[] = [theta0];
  const snapshotSteps: number[] = [0];
  const lossPerStep = new Float32Array(totalSteps);
  const lossPerEpoch: number[] = [];
  const rng = mulberry32(opts.seed * 1000003 + 7);
  const arena = snapshotArena(layout.total, Math.floor((totalSteps - 1) / stride));
  const dense = denseStackPlan(model, spec, optimizer, layout, x, y);
  const stepper = 'plan' in dense
    ? denseStepper(model, optimizer as tf.SGDOptimizer, dense.plan, layout, theta0, Math.min(n, opts.batchSize), x, y)
    : autodiffStepper(model, optimizer, spec, x, y);
  // Losses and snapshots stay on the backend until a flush reads them all at once (every
  // READ_EVERY steps and at each epoch's end): a per-step read stalls a GPU's queue.
  let costs: (tf.Scalar | number)[] = [];
  let snaps: { t: tf.Tensor; step: number }[] = [];
  let firstPending = 0;
  const flush = async () => {
    if (costs.length === 0 && snaps.length === 0) return;
    const pending = costs.filter((c): c is tf.Scalar => typeof c !== 'number');
    const all = pending.length ? tf.stack(pending) : null;
    tf.dispose(pending);
    const read = all ? await all.data() : new Float32Array(0);
    all?.dispose();
    let r = 0;
    const values = costs.map((c) => (typeof c === 'number' ? c : read[r++]));
    costs = [];
    const snapped = await Promise.all(snaps.map((s) => s.t.data()));
    snaps.forEach((s, k) => { snapshots.push(snapped[k] as Float32Array); snapshotSteps.push(s.step); s.t.dispose(); });
    snaps = [];
    for (let k = 0; k < values.length; k++) {
      const st = firstPending + k;
      if (!Number.isFinite(values[k])) throw new NonFiniteLossError(Math.floor(st / stepsPerEpoch), st, values[k]);
      lossPerStep[st] = values[k];
    }
    firstPending = step;
  };
  let step = 0;
  const captured: NonNullable<TrainRecord['captured']> = [];
  const capture = new Set(opts.captureAt ?? []);
  try {
    for (let epoch = 0; epoch < opts.epochs && step < totalSteps; epoch++) {
      const order = opts.shuffle ? permutation(n, rng) : Array.from({ length: n }, (_, i) => i);
      const epochStart = step;
      for (let s = 0; s < n && step < totalSteps; s += opts.batchSize) {
        costs.push(stepper.step(order.slice(s, s + opts.batchSize)));
        step++;
        if (step % stride === 0 && step < totalSteps) {
          // copied now where that needs no kernel; else read at the next flush
          const slot = snaps.length === 0 ? arena.next() : null;
          if (slot && stepper.now(slot)) { snapshots.push(slot); snapshotSteps.push(step); } else snaps.push({ t: stepper.tensor(), step });
        }
        if (costs.length >= READ_EVERY) await flush();
        if (capture.has(step)) {
          stepper.sync();
          captured.push({ step, theta: await readParams(model), state: await readState(model) });
        }
        opts.onStep?.(step, totalSteps);
      }
      await flush();
      stepper.sync();
      let sum = 0;
      for (let k = epochStart; k < step; k++) sum += lossPerStep[k];
      lossPerEpoch.push(sum / (step - epochStart));
      await opts.onEpoch?.(epoch, sum / (step - epochStart), step, totalSteps);
    }
  } finally {
    tf.dispose(costs.filter((c): c is tf.Scalar => typeof c !== 'number')); tf.dispose(snaps.map((s) => s.t));
    stepper.sync();
  }
  const thetaT = await readParams(model);
  snapshots.push(thetaT);
  snapshotSteps.push(step);
  return { layout, theta0, thetaT, state0, stateT: await readState(model), snapshots, snapshotSteps, lossPerEpoch, lossPerStep, steps: step,
    stepsOn: 'plan' in dense ? 'blas-dense' : 'autodiff', stepsNote: 'plan' in dense ? undefined : dense.reason,
    ...(opts.captureAt ? { captured } : {}) };
}
