/**
 * Evaluating part of a fixed grid without training (a shard of a plan, or the second worker of a
 * split plane): rebuild the model (its weights come from the job), load the same data subset and
 * evaluate the given cells of a plane or points of a line with the same evaluators as a one-process
 * probe (planeProbe, interpolate), so every value is bit for bit the one a single run computes.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import type { LandscapeConfig } from '../api/types';
import type { LinePoint } from '../protocol';
import { head, loadData, type Dataset } from './data';
import type { EvalSet } from './evaluate';
import { lossSpec, type LossSpec } from './losses';
import { paramLayout, stateLayout, type ParamLayout } from './params';
import { planeProbe } from './plane';
import { interpolate } from './interpolate';
import { hasBatchNorm } from './batchnorm';
import { withSeededMathRandom } from '../shared/random';
import { buildModel } from './loaded';
import { bnSet, phase, type LineJob, type PlaneJob, type ResolvedOptions } from './analyses/context';

/** sha256 of evaluation sets (shapes and bytes): a plan's shards must see the data the plan saw. */
export function evalSetsHash(sets: Record<string, EvalSet | undefined>): string {
  const h = createHash('sha256');
  for (const [name, s] of Object.entries(sets)) {
    if (!s) continue;
    for (const t of [s.x, s.y]) {
      h.update(`${name}:${t.dtype}:${t.shape.join('x')};`);
      const d = t.dataSync();
      h.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    }
  }
  return h.digest('hex');
}

export class PlanMismatchError extends Error {}

interface Rebuilt { model: tf.LayersModel; spec: LossSpec; layout: ParamLayout; data: Dataset; train: EvalSet; test?: EvalSet }

/** Data, model and loss as the probe had them (same seed for the model's construction). */
async function rebuild<T>(config: LandscapeConfig, examples: number, fn: (r: Rebuilt) => Promise<T>): Promise<T> {
  const data = await phase('data', () => loadData(config));
  return withSeededMathRandom(config.seed ?? 1, async () => {
    const model = await phase('model', () => buildModel(config)); // model() or models.load(...)
    const spec = lossSpec(config.loss, config.metrics);
    try {
      return await fn({ model, spec, layout: paramLayout(model), data, train: head(data.train, examples), test: data.test ? head(data.test, examples) : undefined });
    } finally { model.dispose(); }
  });
}

function checkSizes(model: tf.LayersModel, layout: ParamLayout, theta: Float32Array, state: Float32Array): void {
  const st = stateLayout(model).total;
  if (layout.total !== theta.length || st !== state.length) {
    throw new PlanMismatchError(`the model has ${layout.total} parameters and ${st} state values, the plan ${theta.length} and ${state.length}`);
  }
}

/** Cells of a plane: the given rows (coarse to fine) or the given cells (in that order). */
export async function evaluatePlane(config: LandscapeConfig, options: ResolvedOptions, job: PlaneJob,
  select: { rows?: number[]; cells?: Array<[number, number]> }, onCells: (i: number[], j: number[], loss: number[]) => void | Promise<void>,
  o: { dataHash?: string; chunk?: number } = {}): Promise<void> {
  await rebuild(config, job.examples, async ({ model, spec, layout, data, train }) => {
    checkSizes(model, layout, job.basis.center, job.state);
    if (o.dataHash && evalSetsHash({ train }) !== o.dataHash) throw new PlanMismatchError('the evaluation data differ from the data the plan was made with');
    const recompute = options.bn !== 'interpolate' && hasBatchNorm(model);
    await phase('probe', () => planeProbe({
      model, spec, layout, basis: job.basis, state: job.state, trajectory: { a: [], b: [], step: [] }, randomWalk: { a: [], b: [] },
      a: job.a, b: job.b, train, fastFirstLayer: options.fastFirstLayer, rows: select.rows, cells: select.cells, chunk: o.chunk,
      bnSet: recompute ? bnSet(data.train.x) : undefined,
      onCells: (i, j, l) => onCells(i, j, l),
    }));
  });
}

/** Everything interpolate computes at one α (the values of a line's point in a shard). */
export type { LinePoint };

/** Points (indices into job.alpha) of a line, in the given order. */
export async function evaluateLine(config: LandscapeConfig, options: ResolvedOptions, job: LineJob, indices: number[],
  onPoint: (index: number, p: LinePoint) => void | Promise<void>, o: { dataHash?: string } = {}): Promise<void> {
  await rebuild(config, options.examples, async ({ model, spec, layout, data, train, test }) => {
    checkSizes(model, layout, job.thetaA, job.stateA);
    if (o.dataHash && evalSetsHash({ train, test }) !== o.dataHash) throw new PlanMismatchError('the evaluation data differ from the data the plan was made with');
    await phase('probe', () => interpolate({
      model, spec, layout, ...job, sets: { train, test }, fastFirstLayer: options.fastFirstLayer,
      bn: options.bn, bnSet: bnSet(data.train.x), indices,
      onPoint: (i, _a, tr, te, _done, rc) => onPoint(i, {
        trainLoss: tr.loss, testLoss: te ? te.loss : NaN, trainAccuracy: tr.accuracy, testAccuracy: te ? te.accuracy : null,
        trainLossSE: tr.lossSE ?? NaN, bnTrainLoss: rc?.train ?? NaN, bnTestLoss: rc?.test ?? NaN,
      }),
    }));
  });
}
