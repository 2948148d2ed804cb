/**
 * Instability analysis (Frankle, Dziugaite, Roy & Carbin 2020, "Linear mode connectivity and the
 * lottery ticket hypothesis"): train once to step k, spawn two copies of θ_k, train each to the
 * end (step T) with its own data order, and measure the barrier of the straight line between the
 * two ends — the error barrier sup_α E(α) above the chord (1 − accuracy; test set when there is
 * one) and the loss barrier likewise. The network is stable at k when the error barrier is ≤ 2 %;
 * the first stable k is where SGD's noise stops moving it to another basin.
 *
 * Each copy starts with a fresh optimizer (the optimizer's state at k — momentum, Adam's moments —
 * is not copied: TF.js optimizers do not expose it); with plain SGD that is exact.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../api/types';
import type { InstabilityResult } from '../protocol';
import type { SpawnPoint } from '../shared/options';
import type { LossSpec } from './losses';
import type { EvalSet } from './evaluate';
import { train, type TrainRecord } from './train';
import { interpolate } from './interpolate';
import { linspace } from './grid';
import { readParams, readState, writeParams, writeState } from './params';
import { withSeededMathRandom } from '../shared/random';
import { errorBarrier } from '../shared/line-summary';

export const STABLE_ERROR_BARRIER = 0.02;

export interface InstabilityInput {
  config: TrainConfig;
  spec: LossSpec;
  data: { train: EvalSet };
  evalTrain: EvalSet;
  evalTest?: EvalSet;
  spawn: SpawnPoint[];
  /** Points of α in [0, 1] on each line between the copies. */
  points: number;
  bn?: 'interpolate' | 'recompute' | 'both';
  bnSet?: tf.Tensor;
  onProgress?(done: number, total: number, message: string): void | Promise<void>;
}

export async function instabilityAnalysis(input: InstabilityInput): Promise<InstabilityResult & { first: TrainRecord }> {
  const { config, spec } = input;
  const started = Date.now();
  const seed = config.seed ?? 1, epochs = config.epochs ?? 1, batchSize = config.batchSize ?? 32, shuffle = config.shuffle ?? true;
  const { x, y } = input.data.train;
  const stepsPerEpoch = Math.ceil(x.shape[0] / batchSize), totalSteps = stepsPerEpoch * epochs;
  const spawnSteps = input.spawn.map((p) => (p.unit === 'epoch' ? p.value * stepsPerEpoch : p.value));
  spawnSteps.forEach((k, i) => {
    if (k >= totalSteps) throw new Error(`spawn point '${input.spawn[i].label}' (step ${k}) is not before the end of training (step ${totalSteps} = ${epochs} epochs × ${stepsPerEpoch} steps)`);
  });
  const maxK = Math.max(...spawnSteps);
  const total = 1 + 2 * spawnSteps.length;
  let done = 0;
  const progress = (m: string) => input.onProgress?.(done++, total, m);
  return withSeededMathRandom(seed, async () => {
    const model = config.model();
    try {
      // one training to the last spawn point, θ_k copied at every spawn point on the way
      await progress(`training to step ${maxK} (the spawn points)`);
      const at = new Map<number, { theta: Float32Array; state: Float32Array }>([[0, { theta: await readParams(model), state: await readState(model) }]]);
      if (maxK > 0) {
        const base = await train(model, config.optimizer(), spec, x, y, { epochs: Math.ceil(maxK / stepsPerEpoch), maxSteps: maxK, batchSize, seed, shuffle, maxSnapshots: 2, captureAt: spawnSteps });
        for (const c of base.captured ?? []) at.set(c.step, c);
      }
      const alpha = linspace(0, 1, Math.max(3, input.points));
      const sets = { train: input.evalTrain, ...(input.evalTest ? { test: input.evalTest } : {}) };
      const set: 'test' | 'train' = input.evalTest ? 'test' : 'train';
      const r: Omit<InstabilityResult, 'firstStable' | 'seconds'> = {
        spawn: input.spawn.map((p) => p.label), spawnSteps, totalSteps, tolerance: STABLE_ERROR_BARRIER, set, alpha,
        lossBarrier: [], errorBarrier: [], loss: [], error: [], finalError: [],
      };
      let first: TrainRecord | undefined;
      for (const [i, k] of spawnSteps.entries()) {
        const from = at.get(k)!;
        const ends: TrainRecord[] = [];
        for (const copy of [0, 1]) {
          await progress(`k = ${input.spawn[i].label}: copy ${copy + 1} of 2, steps ${k} → ${totalSteps}`);
          writeParams(model, from.theta);
          if (from.state.length) writeState(model, from.state);
          // its own data order: another seed for the shuffles (and dropout's stream goes on)
          ends.push(await train(model, config.optimizer(), spec, x, y, {
            epochs: Math.ceil((totalSteps - k) / stepsPerEpoch), maxSteps: totalSteps - k, batchSize, seed: seed * 7919 + 1000 * (i + 1) + copy + 1, shuffle, maxSnapshots: 2,
          }));
        }
        first ??= ends[0];
        const line = await interpolate({ model, spec, layout: ends[0].layout, thetaA: ends[0].thetaT, thetaB: ends[1].thetaT, stateA: ends[0].stateT, stateB: ends[1].stateT,
          sets, alpha, bn: input.bn, bnSet: input.bnSet });
        const acc = set === 'test' ? line.testAccuracy : line.trainAccuracy;
        const err = acc.map((a) => (a === null ? NaN : 1 - a));
        r.lossBarrier.push(line.barrier);
        r.errorBarrier.push(errorBarrier(alpha, acc));
        r.loss.push(set === 'test' ? line.testLoss : line.trainLoss);
        r.error.push(err);
        r.finalError.push([err[0], err[err.length - 1]]);
      }
      // the first stable k: the earliest spawn point (by step) whose error barrier is within the tolerance
      const order = spawnSteps.map((k, i) => [k, i]).sort((p, q) => p[0] - q[0]).map(([, i]) => i);
      const stable = order.find((i) => r.errorBarrier[i] <= STABLE_ERROR_BARRIER);
      await input.onProgress?.(total, total, 'done');
      return { ...r, firstStable: stable === undefined ? null : r.spawn[stable], seconds: (Date.now() - started) / 1000, first: first! };
    } finally {
      model.dispose();
    }
  });
}
