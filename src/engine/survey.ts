/**
 * The survey (Swirszcz, Czarnecki & Pascanu 2016): N trainings from N seeds and/or named init
 * schemes on the same data; final losses, stuck runs (loss > best + tolerance), dead and
 * saturated units per run, the straight line best ↔ stuck and the plane through θ₀(stuck),
 * θ_T(stuck) and θ_T(best).
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../api/types';
import type { SurveyResult, SurveyRun } from '../protocol';
import type { LossSpec } from './losses';
import type { EvalSet } from './evaluate';
import { evaluateModel } from './evaluate';
import { train, TrainRecord } from './train';
import { unitCounts } from './units';
import { mulberry32, withSeededMathRandom } from '../shared/random';
import { interpolate } from './interpolate';
import { alphaGrid, linspace } from './grid';
import { planeProbe, projectPath } from './plane';
import { paramLayout, sub } from './params';

export interface SurveyInput {
  config: TrainConfig;
  spec: () => LossSpec;
  data: { train: EvalSet; test?: EvalSet };
  evalTrain: EvalSet;
  evalTest?: EvalSet;
  runs: number;
  tolerance?: number;
  grid: number;
  points: number;
  onRun?(index: number, total: number, run: SurveyRun): void | Promise<void>;
  onProgress?(done: number, total: number, message: string): void;
}

interface Kept { rec: TrainRecord; run: SurveyRun }

export function defaultTolerance(best: number): number { return 0.01 + 0.1 * Math.abs(best); }

export function histogram(values: number[], bins = 12): { edges: number[]; counts: number[] } {
  const lo = Math.min(...values), hi = Math.max(...values);
  const width = hi > lo ? (hi - lo) / bins : 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  const counts = new Array(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  return { edges, counts };
}

function buildModel(config: TrainConfig, seed: number, init: string): tf.LayersModel {
  return withSeededMathRandom(seed, () => {
    const m = config.model();
    if (!(m instanceof tf.LayersModel)) throw new Error('model() must return a tf.LayersModel');
    if (init !== 'default') {
      const scheme = config.survey?.inits?.[init];
      if (!scheme) throw new Error(`unknown init scheme '${init}'`);
      scheme(m, mulberry32(seed * 104729 + 3));
    }
    return m;
  });
}

export async function surveyAnalysis(input: SurveyInput): Promise<SurveyResult & { bestRecord: TrainRecord }> {
  const { config } = input;
  const seed0 = config.seed ?? 1;
  const inits = [...(config.survey?.skipDefault ? [] : ['default']), ...Object.keys(config.survey?.inits ?? {})];
  const jobs = inits.flatMap((init) => Array.from({ length: input.runs }, (_, k) => ({ init, seed: seed0 + k })));
  if (!jobs.length) throw new Error(`survey: nothing to train (${inits.length ? `runs is ${input.runs}` : "skipDefault is set and survey.inits is empty"})`);
  const kept: Kept[] = [];
  const spec = input.spec();
  for (const [index, job] of jobs.entries()) {
    input.onProgress?.(index, jobs.length, `run ${index + 1}/${jobs.length}: ${job.init}, seed ${job.seed}`);
    const t0 = Date.now();
    const model = buildModel(config, job.seed, job.init);
    const before = await unitCounts(model, input.evalTrain.x);
    const rec: TrainRecord = await withSeededMathRandom(job.seed, () => train(model, config.optimizer(), spec, input.data.train.x, input.data.train.y, {
      epochs: config.epochs ?? 1, batchSize: config.batchSize ?? 32, seed: job.seed, shuffle: config.shuffle ?? true, maxSnapshots: 101,
    }), 18);
    const fin = await evaluateModel(model, spec, input.evalTrain);
    const finTest = input.evalTest ? await evaluateModel(model, spec, input.evalTest) : undefined;
    const after = await unitCounts(model, input.evalTrain.x);
    const run: SurveyRun = {
      seed: job.seed, init: job.init, finalLoss: fin.loss, finalTestLoss: finTest?.loss ?? null, finalAccuracy: fin.accuracy,
      stuck: false, deadUnits: after?.deadUnits ?? null, saturatedUnits: after?.saturatedUnits ?? null,
      blindExamples: after && after.reluUnits > 0 ? after.blindExamples : null,
      deadUnitsInit: before?.deadUnits ?? null, saturatedUnitsInit: before?.saturatedUnits ?? null,
      trainSeconds: (Date.now() - t0) / 1000,
    };
    model.dispose();
    kept.push({ rec, run });
    await input.onRun?.(index, jobs.length, run);
  }
  const losses = kept.map((k) => k.run.finalLoss);
  const best = losses.indexOf(Math.min(...losses));
  const tolerance = input.tolerance ?? defaultTolerance(losses[best]);
  for (const k of kept) k.run.stuck = Number.isFinite(k.run.finalLoss) ? k.run.finalLoss > losses[best] + tolerance : true;
  const byInit: SurveyResult['byInit'] = {};
  for (const k of kept) {
    const b = (byInit[k.run.init] ??= { runs: 0, stuck: 0 });
    b.runs++; if (k.run.stuck) b.stuck++;
  }
  const result: SurveyResult & { bestRecord: TrainRecord } = {
    runs: kept.map((k) => k.run), best, tolerance, stuckCount: kept.filter((k) => k.run.stuck).length, byInit,
    histogram: histogram(losses.filter(Number.isFinite)), bestRecord: kept[best].rec,
  };
  const stuckIdx = kept.map((k, i) => i).filter((i) => kept[i].run.stuck && Number.isFinite(losses[i]));
  if (stuckIdx.length) {
    const worst = stuckIdx.reduce((a, b) => (losses[b] > losses[a] ? b : a));
    result.stuck = worst;
    const model = buildModel(config, kept[worst].run.seed, kept[worst].run.init);
    const B = kept[best].rec, S = kept[worst].rec;
    input.onProgress?.(jobs.length, jobs.length, `interpolating best (run ${best + 1}) ↔ stuck (run ${worst + 1})`);
    const layout = paramLayout(model);
    const line = await interpolate({ model, spec, layout, thetaA: B.thetaT, thetaB: S.thetaT, stateA: B.stateT, stateB: S.stateT,
      sets: { train: input.evalTrain, test: input.evalTest }, alpha: alphaGrid(-0.25, 1.25, input.points) });
    const { fast: _f, fastReason: _r, ...bestToStuck } = line;
    result.bestToStuck = bestToStuck;
    // Plane through θ₀(stuck) (0,0), θ_T(stuck) (1,0), θ_T(best) (0,1).
    const basis = { kind: 'goodfellow' as const, center: S.theta0, u: sub(S.thetaT, S.theta0), v: sub(B.thetaT, S.theta0) };
    const traj = { ...projectPath(basis, S.snapshots), step: S.snapshotSteps };
    const other = projectPath(basis, B.snapshots);
    const a = linspace(-0.25, 1.25, input.grid), b = linspace(-0.25, 1.25, input.grid);
    const plane = await planeProbe({ model, spec, layout, basis, state: S.stateT, trajectory: traj, randomWalk: { a: [], b: [] }, a, b, train: input.evalTrain });
    const { fast: _f2, fastReason: _r2, ...p } = plane;
    result.stuckPlane = { ...p, directions: 'survey', otherPath: { ...other, label: `best run (seed ${kept[best].run.seed}, ${kept[best].run.init})` } };
    model.dispose();
  }
  return result;
}
