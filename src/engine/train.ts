/**
 * Deterministic training that records the path: θ₀, θ_T, up to `maxSnapshots` snapshots taken
 * at a fixed step stride (memory stays bounded whatever the run length), and the loss per step.
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
  let step = 0;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const order = opts.shuffle ? permutation(n, rng) : Array.from({ length: n }, (_, i) => i);
    let sum = 0;
    for (let s = 0; s < n; s += opts.batchSize) {
      const idx = tf.tensor1d(order.slice(s, s + opts.batchSize), 'int32');
      const cost = tf.tidy((): tf.Scalar => {
        const xb = tf.gather(x, idx);
        const yb = tf.gather(y, idx);
        const c = optimizer.minimize(() => spec.mean(yb, model.apply(xb, { training: true }) as tf.Tensor), true, varList);
        if (!c) throw new Error('the optimizer returned no cost');
        return c;
      });
      idx.dispose();
      const value = cost.dataSync()[0];
      cost.dispose();
      if (!Number.isFinite(value)) throw new NonFiniteLossError(epoch, step, value);
      lossPerStep[step] = value;
      sum += value;
      step++;
      if (step % stride === 0 && step < totalSteps) { snapshots.push(readParams(model)); snapshotSteps.push(step); }
      opts.onStep?.(step, totalSteps);
    }
    lossPerEpoch.push(sum / stepsPerEpoch);
    await opts.onEpoch?.(epoch, sum / stepsPerEpoch, step, totalSteps);
  }
  const thetaT = readParams(model);
  snapshots.push(thetaT);
  snapshotSteps.push(step);
  return { layout, theta0, thetaT, state0, stateT: readState(model), snapshots, snapshotSteps, lossPerEpoch, lossPerStep, steps: step };
}
