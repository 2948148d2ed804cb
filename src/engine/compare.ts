/**
 * Compare runs: the same definition trained from the same θ₀ with other optimizers / learning
 * rates / epochs. Every run's θ₀ → θ_T curve on one chart, every path on the goodfellow plane
 * of the first run (the definition as written).
 */
import * as tf from '@tensorflow/tfjs';
import type { LandscapeConfig, TrainConfig } from '../api/types';
import type { CompareResult, CompareRun } from '../protocol';
import type { LossSpec } from './losses';
import type { EvalSet } from './evaluate';
import { evaluateModel } from './evaluate';
import { train, TrainRecord } from './train';
import { interpolate } from './interpolate';
import { alphaGrid, linspace } from './grid';
import { goodfellowBasis } from './directions';
import { planeProbe, planeRanges, projectPath, randomWalk } from './plane';
import { mulberry32, withSeededMathRandom } from '../shared/random';

export interface CompareInput {
  config: TrainConfig;
  spec: LossSpec;
  data: { train: EvalSet; test?: EvalSet };
  evalTrain: EvalSet;
  evalTest?: EvalSet;
  points: number;
  grid: number;
  alphaRange: [number, number];
  onProgress?(done: number, total: number, message: string): void;
}

export async function compareAnalysis(input: CompareInput): Promise<CompareResult & { first: TrainRecord }> {
  const { config, spec } = input;
  const seed = config.seed ?? 1;
  const variants: Array<[string, NonNullable<LandscapeConfig['compare']>[string]]> = [['as defined', {}], ...Object.entries(config.compare ?? {})];
  if (variants.length < 2) throw new Error("the compare analysis needs variants: add compare: { 'name': { optimizer: () => tf.train.adam(0.01) } } to the definition");
  const recs: TrainRecord[] = [];
  const runs: CompareRun[] = [];
  let model: tf.LayersModel | undefined;
  const alpha = alphaGrid(input.alphaRange[0], input.alphaRange[1], input.points);
  for (const [k, [name, v]] of variants.entries()) {
    input.onProgress?.(k, variants.length + 1, `training '${name}'`);
    const t0 = Date.now();
    model?.dispose();
    // the same seeded stream for every variant: the same θ₀
    const [m, rec]: [tf.LayersModel, TrainRecord] = await withSeededMathRandom(seed, async () => {
      const built = config.model();
      return [built, await train(built, (v.optimizer ?? config.optimizer)(), spec, input.data.train.x, input.data.train.y, {
        epochs: v.epochs ?? config.epochs ?? 1, batchSize: v.batchSize ?? config.batchSize ?? 32, seed, shuffle: config.shuffle ?? true, maxSnapshots: 101,
      })];
    });
    model = m;
    const trainSeconds = (Date.now() - t0) / 1000;
    const fin = await evaluateModel(model, spec, input.evalTrain), te = input.evalTest ? await evaluateModel(model, spec, input.evalTest) : undefined;
    const line = await interpolate({ model, spec, layout: rec.layout, thetaA: rec.theta0, thetaB: rec.thetaT, stateA: rec.state0, stateB: rec.stateT,
      sets: { train: input.evalTrain, test: input.evalTest }, alpha });
    recs.push(rec);
    runs.push({ name, finalTrainLoss: fin.loss, finalTestLoss: te?.loss ?? null, finalTestAccuracy: te?.accuracy ?? null,
      curve: { alpha, trainLoss: line.trainLoss, testLoss: line.testLoss, monotone: line.monotone, barrier: line.barrier },
      path: { a: [], b: [] }, trainSeconds });
  }
  input.onProgress?.(variants.length, variants.length + 1, 'plane of the first run with every path');
  const first = recs[0];
  const rng = mulberry32(seed * 31 + 5);
  const basis = await goodfellowBasis(first.theta0, first.thetaT, first.snapshots, rng);
  recs.forEach((r, k) => { runs[k].path = projectPath(basis, r.snapshots); });
  const traj = { ...projectPath(basis, first.snapshots), step: first.snapshotSteps };
  // the grid must hold every path
  const allB = runs.flatMap((r) => r.path.b), allA = runs.flatMap((r) => r.path.a);
  const ranges = planeRanges('goodfellow', { a: allA, b: allB }, [Math.min(input.alphaRange[0], Math.min(...allA) - 0.1), Math.max(input.alphaRange[1], Math.max(...allA) + 0.1)]);
  const a = linspace(ranges.a[0], ranges.a[1], input.grid), b = linspace(ranges.b[0], ranges.b[1], input.grid);
  const p = await planeProbe({ model: model!, spec, layout: first.layout, basis, state: first.stateT, trajectory: traj,
    randomWalk: randomWalk(basis, first.theta0, first.snapshots, rng), a, b, train: input.evalTrain });
  const { fast: _f, fastReason: _r, ...plane } = p;
  model!.dispose();
  return { runs, plane, first };
}
