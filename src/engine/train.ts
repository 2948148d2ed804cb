/**
 * Deterministic training that records the path: θ₀, θ_T, up to `maxSnapshots` snapshots taken
 * at a fixed step stride (memory stays bounded whatever the run length), and the loss per step.
 * The data is put in the epoch's shuffled order once per epoch (one gather) and each batch is a
 * contiguous slice of it; above `epochCopyBytes` of data each batch is gathered on its own
 * (no second copy of the data set). Either way the batches, hence the results, are the same.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossSpec } from './losses';
import { mulberry32, permutation } from './random';
import { readParams, readState, paramLayout, ParamLayout } from './params';

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
  /** Largest data set (x and y, bytes) copied into shuffled order once per epoch (default 256 MiB). */
  epochCopyBytes?: number;
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
}

export class NonFiniteLossError extends Error {
  constructor(readonly epoch: number, readonly step: number, readonly value: number) {
    super(`the training loss became ${value} at epoch ${epoch + 1}, step ${step + 1}: lower the learning rate, check the data for NaN, or clip the predictions`);
  }
}

export async function train(model: tf.LayersModel, optimizer: tf.Optimizer, spec: LossSpec,
  x: tf.Tensor, y: tf.Tensor, opts: TrainOptions): Promise<TrainRecord> {
  const n = x.shape[0];
  if (y.shape[0] !== n) throw new Error(`data: x has ${n} examples but y has ${y.shape[0]}`);
  const layout = paramLayout(model);
  const stepsPerEpoch = Math.ceil(n / opts.batchSize);
  const totalSteps = stepsPerEpoch * opts.epochs;
  const maxBytes = opts.maxSnapshotBytes ?? 384 * 2 ** 20;
  const cap = Math.max(2, Math.min(opts.maxSnapshots ?? 201, Math.floor(maxBytes / (4 * Math.max(1, layout.total)))));
  const stride = Math.max(1, Math.ceil(totalSteps / (cap - 1)));

  const theta0 = readParams(model);
  const state0 = readState(model);
  const snapshots: Float32Array[] = [theta0];
  const snapshotSteps: number[] = [0];
  const lossPerStep = new Float32Array(totalSteps);
  const lossPerEpoch: number[] = [];
  const rng = mulberry32(opts.seed * 1000003 + 7);
  const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const epochCopy = opts.shuffle && 4 * (x.size + y.size) <= (opts.epochCopyBytes ?? 256 * 2 ** 20);
  let step = 0;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const order = opts.shuffle ? permutation(n, rng) : null;
    // The epoch's data in shuffled order (one gather), or null: slice x, y or gather per batch.
    const shuffled = order && epochCopy ? tf.tidy(() => { const all = tf.tensor1d(order, 'int32'); return [tf.gather(x, all), tf.gather(y, all)]; }) : null;
    let sum = 0;
    try {
      for (let s = 0; s < n; s += opts.batchSize) {
        const m = Math.min(opts.batchSize, n - s);
        const cost = tf.tidy((): tf.Scalar => {
          let xb: tf.Tensor, yb: tf.Tensor;
          if (order && !shuffled) {
            const idx = tf.tensor1d(order.slice(s, s + m), 'int32');
            [xb, yb] = [tf.gather(x, idx), tf.gather(y, idx)];
          } else {
            [xb, yb] = [tf.slice(shuffled ? shuffled[0] : x, s, m), tf.slice(shuffled ? shuffled[1] : y, s, m)];
          }
          const c = optimizer.minimize(() => spec.mean(yb, model.apply(xb, { training: true }) as tf.Tensor), true, varList);
          if (!c) throw new Error('the optimizer returned no cost');
          return c;
        });
        const value = cost.dataSync()[0];
        cost.dispose();
        if (!Number.isFinite(value)) throw new NonFiniteLossError(epoch, step, value);
        lossPerStep[step] = value;
        sum += value;
        step++;
        if (step % stride === 0 && step < totalSteps) { snapshots.push(readParams(model)); snapshotSteps.push(step); }
        opts.onStep?.(step, totalSteps);
      }
    } finally {
      if (shuffled) tf.dispose(shuffled);
    }
    lossPerEpoch.push(sum / stepsPerEpoch);
    await opts.onEpoch?.(epoch, sum / stepsPerEpoch, step, totalSteps);
  }
  const thetaT = readParams(model);
  snapshots.push(thetaT);
  snapshotSteps.push(step);
  return { layout, theta0, thetaT, state0, stateT: readState(model), snapshots, snapshotSteps, lossPerEpoch, lossPerStep, steps: step };
}
