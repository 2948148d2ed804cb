/**
 * One probe, start to finish: data → model → recorded training → the asked analysis.
 * Pure TF.js; the runner process and the tests call it, with callbacks for streaming.
 */
import * as tf from '@tensorflow/tfjs';
import type { LandscapeConfig, TrainConfig } from '../api/types';
import type { BackendName, ExampleCounts, PlaneResult, ProbeOptions, ProbeResult, TrainSummary } from '../protocol';
import { defaultProbeOptions } from '../protocol';
import { assertValidOptions, definitionOptions } from '../shared/options';
import { lossSpec } from './losses';
import { head, loadData } from './data';
import { train, TrainRecord } from './train';
import { evaluateModel } from './evaluate';
import { alphaGrid, interpolate, linspace } from './interpolate';
import { goodfellowBasis, pcaBasis, PlaneBasis, randomBasis } from './directions';
import { planeProbe, planeRanges, projectPath, randomWalk } from './plane';
import { mulberry32 } from './random';
import { paramLayout, stateLayout, writeParams, writeState } from './params';
import { surveyAnalysis } from './survey';
import { compareAnalysis } from './compare';
import { curvatureAnalysis } from './curvature';
import { connectAnalysis } from './connect';
import { hasBatchNorm } from './batchnorm';
import { asTrainConfig, buildModel, isLoadedConfig, loadCompareTo, loadRecord, refuseWithoutTraining, type LoadedConfig } from './loaded';
import { checkCost, memoryLimitBytes } from './cost';

/** The fixed batch set on which BatchNorm statistics are recomputed: the first 1000 training inputs. */
const bnSet = (x: tf.Tensor) => (x.shape[0] > 1000 ? tf.slice(x, 0, 1000) : x);
import type { SurveyRun } from '../protocol';

type OptionalKeys = 'saveWeights' | 'runs' | 'tolerance' | 'seed2' | 'k';
export type ResolvedOptions = Required<Omit<ProbeOptions, OptionalKeys>> & Pick<ProbeOptions, OptionalKeys>;

/**
 * The options of one probe: the request's, else the definition's `probe`/`survey` blocks, else
 * the defaults. Both sources are validated first (OptionsError names the bad fields).
 */
export function resolveOptions(config: LandscapeConfig, o: Partial<ProbeOptions>): ResolvedOptions {
  assertValidOptions(definitionOptions(config), 'definition');
  assertValidOptions(o, 'request');
  const d = config.probe ?? {};
  const pick = <T>(...xs: (T | undefined)[]) => xs.find((x) => x !== undefined) as T;
  return {
    analysis: o.analysis ?? 'interpolate',
    directions: pick(o.directions, d.directions, defaultProbeOptions.directions),
    points: pick(o.points, d.points, defaultProbeOptions.points),
    alphaRange: pick(o.alphaRange, d.alphaRange, defaultProbeOptions.alphaRange),
    grid: pick(o.grid, d.grid, defaultProbeOptions.grid),
    examples: pick(o.examples, d.examples, defaultProbeOptions.examples),
    backend: pick(o.backend, defaultProbeOptions.backend),
    fastFirstLayer: pick(o.fastFirstLayer, defaultProbeOptions.fastFirstLayer),
    saveWeights: o.saveWeights,
    runs: pick(o.runs, config.survey?.runs, 10),
    seed2: pick(o.seed2, d.seed2),
    k: o.k,
    bn: pick(o.bn, d.bn, 'interpolate'),
    tolerance: pick(o.tolerance, config.survey?.tolerance),
  };
}

export interface ProbeEvents {
  progress?(phase: 'load' | 'train' | 'probe', done: number, total: number, message?: string): void;
  trainEpoch?(epoch: number, loss: number, steps: number): void | Promise<void>;
  trained?(train: TrainSummary, examples: ExampleCounts): void;
  curvePoint?(index: number, alpha: number, trainLoss: number, testLoss: number, trainAcc: number | null, testAcc: number | null, total: number): void | Promise<void>;
  planeSetup?(setup: Pick<PlaneResult, 'directions' | 'a' | 'b' | 'trajectory' | 'randomWalk' | 'init' | 'final'>): void;
  planeCells?(i: number[], j: number[], loss: number[], done: number, total: number): void | Promise<void>;
  surveyRun?(index: number, total: number, run: SurveyRun): void | Promise<void>;
  /**
   * Offers to evaluate part of the plane elsewhere (another process): returns the rows this
   * process should do, and a promise of the other rows' cells. The caller streams those itself.
   */
  splitPlane?(job: PlaneJob): Promise<PlaneSplit | undefined>;
  /**
   * Called once training is done, with everything recorded (e.g. to save weights) and the
   * second solution when the analysis trains one (seed2, connect).
   */
  recorded?(record: TrainRecord, second?: { record: TrainRecord; seed: number }): void | Promise<void>;
  /** Something the user should know before waiting (e.g. the probe will take long). */
  warn?(message: string): void;
  /** The plane's basis once it is fixed: θ(a, b) = center + a·u + b·v. */
  planeBasis?(basis: PlaneBasis, a: number[], b: number[]): void | Promise<void>;
}

export interface PlaneJob { basis: PlaneBasis; state: Float32Array; a: number[]; b: number[]; examples: number }
export interface PlaneSplit { rows: number[]; others: Promise<Array<[number, number, number]>> }

/** A user-code failure in a named phase (the runner maps its stack to the user's file). */
export class PhaseError extends Error {
  constructor(readonly phase: 'data' | 'model' | 'optimizer' | 'train' | 'probe', readonly cause: unknown) {
    super(`${phase}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

async function phase<T>(name: PhaseError['phase'], fn: () => T | Promise<T>): Promise<T> {
  try { return await fn(); } catch (e) { throw e instanceof PhaseError ? e : new PhaseError(name, e); }
}

export async function runProbe(definition: string, config: LandscapeConfig, options: ResolvedOptions,
  backend: BackendName, ev: ProbeEvents = {}, file = ''): Promise<ProbeResult> {
  const seed = config.seed ?? 1;
  const t0 = Date.now();
  const notes: string[] = [];
  await phase('train', () => refuseWithoutTraining(config, options)); // a loaded model: nothing to train
  ev.progress?.('load', 0, 1, 'loading data');
  const data = await phase('data', () => loadData(config));
  if (options.analysis === 'survey') return runSurvey(definition, asTrainConfig(config), options, backend, ev, file, data, t0);
  if (options.analysis === 'compare') return runCompare(definition, asTrainConfig(config), options, backend, ev, file, data, t0);
  const original = Math.random;
  Math.random = mulberry32(seed * 7919 + 17); // TF.js initializers and dropout draw their seeds from Math.random
  try {
    // models.load(...): the record comes from the saved weights and checkpoints instead of training
    const loaded = isLoadedConfig(config) ? await phase('model', () => loadRecord(config, { onProgress: (m) => ev.progress?.('load', 0, 1, m) })) : undefined;
    if (loaded) notes.push(...loaded.notes);
    const model = loaded?.model ?? await phase('model', () => {
      const m = (config.model as () => tf.LayersModel)();
      if (!(m instanceof tf.LayersModel)) throw new Error(`model() must return a tf.LayersModel (tf.sequential(...) or tf.model(...)), got ${m === null ? 'null' : typeof m}`);
      return m;
    });
    const spec = await phase('model', () => lossSpec(config.loss, config.metrics));
    const optimizer = loaded ? undefined : await phase('optimizer', () => asTrainConfig(config).optimizer());
    const loadSeconds = (Date.now() - t0) / 1000;

    const t1 = Date.now();
    const epochs = loaded ? 0 : config.epochs ?? 1, batchSize = config.batchSize ?? 32;
    // Before any training: refuse what cannot fit, announce what will take long.
    const layout0 = paramLayout(model);
    const evalCount = (set: { x: tf.Tensor } | undefined) => (set ? (options.examples > 0 ? Math.min(options.examples, set.x.shape[0]) : set.x.shape[0]) : 0);
    const warning = checkCost({
      analysis: options.analysis, parameters: layout0.total, state: stateLayout(model).total, trainExamples: data.train.x.shape[0],
      evalTrain: evalCount(data.train), evalTest: evalCount(data.test), epochs, points: options.points, grid: options.grid,
      snapshots: Math.max(2, Math.min(201, Math.floor(384 * 2 ** 20 / (4 * Math.max(1, layout0.total))))),
    }, memoryLimitBytes());
    if (warning) { notes.push(warning); ev.warn?.(warning); }
    ev.progress?.('train', 0, epochs, loaded ? 'no training: the model is loaded' : `training ${epochs} epoch(s)`);
    const rec = loaded?.record ?? await phase('train', () => train(model, optimizer!, spec, data.train.x, data.train.y, {
      epochs, batchSize, seed, shuffle: config.shuffle ?? true,
      onEpoch: async (e, loss, steps) => { ev.progress?.('train', e + 1, epochs, `epoch ${e + 1}/${epochs}: loss ${loss.toFixed(4)}`); await ev.trainEpoch?.(e, loss, steps); },
    }));
    // A second solution from another seed: the line θ_T(seed) → θ_T(seed2) (permutation symmetry ⇒ a barrier).
    let rec2: TrainRecord | undefined;
    const other = loaded && config.compareTo && (options.analysis === 'interpolate' || options.analysis === 'connect') ? config.compareTo : undefined;
    if (other) { rec2 = await phase('model', () => loadCompareTo(config as LoadedConfig, rec.layout)); notes.push(`second endpoint: compareTo ${other.path}`); }
    else if ((options.seed2 !== undefined && options.analysis === 'interpolate') || options.analysis === 'connect') {
      const s2 = options.seed2 ?? seed + 1;
      ev.progress?.('train', 0, epochs, `training the second solution (seed ${s2})`);
      Math.random = mulberry32(s2 * 7919 + 17);
      const tc = asTrainConfig(config);
      const model2 = await phase('model', () => tc.model());
      rec2 = await phase('train', () => train(model2, tc.optimizer(), spec, data.train.x, data.train.y, {
        epochs, batchSize, seed: s2, shuffle: config.shuffle ?? true, maxSnapshots: 2,
        onEpoch: (e, loss) => { ev.progress?.('train', e + 1, epochs, `seed ${s2}: epoch ${e + 1}/${epochs}: loss ${loss.toFixed(4)}`); },
      }));
      model2.dispose();
      Math.random = mulberry32(seed * 7919 + 19);
    }
    const trainSeconds = (Date.now() - t1) / 1000;
    await ev.recorded?.(rec, rec2 ? { record: rec2, seed: options.seed2 ?? seed + 1 } : undefined);

    const evalTrain = head(data.train, options.examples);
    const evalTest = data.test ? head(data.test, options.examples) : undefined;
    const examples: ExampleCounts = {
      train: data.train.x.shape[0], test: data.test?.x.shape[0] ?? 0,
      evalTrain: evalTrain.x.shape[0], evalTest: evalTest?.x.shape[0] ?? 0,
    };
    if (examples.evalTrain < examples.train) notes.push(`losses estimated on the first ${examples.evalTrain} of ${examples.train} training examples`);
    const fin = evaluateModel(model, spec, evalTrain);
    const finTest = evalTest ? evaluateModel(model, spec, evalTest) : undefined;
    const summary = summarize(rec, epochs, fin, finTest);
    ev.trained?.(summary, examples);

    const t2 = Date.now();
    const result: ProbeResult = {
      schema: 'loss-landscape/result@1', file, definition, analysis: options.analysis, backend, examples,
      options: { ...options }, train: summary, timing: { loadSeconds, trainSeconds, probeSeconds: 0 }, notes,
    };
    if (options.analysis === 'interpolate') {
      const alpha = alphaGrid(options.alphaRange[0], options.alphaRange[1], options.points);
      const r = await phase('probe', () => interpolate({
        model, spec, layout: rec.layout,
        thetaA: rec2 ? rec.thetaT : rec.theta0, thetaB: rec2 ? rec2.thetaT : rec.thetaT,
        stateA: rec2 ? rec.stateT : rec.state0, stateB: rec2 ? rec2.stateT : rec.stateT,
        sets: { train: evalTrain, test: evalTest }, alpha, fastFirstLayer: options.fastFirstLayer,
        bn: options.bn, bnSet: bnSet(data.train.x),
        onPoint: async (i, a, tr, te, done) => {
          ev.progress?.('probe', done, alpha.length);
          await ev.curvePoint?.(i, a, tr.loss, te?.loss ?? NaN, tr.accuracy, te?.accuracy ?? null, alpha.length);
        },
      }));
      const { fast, fastReason, ...interp } = r;
      interp.endpoints = other ? { a: 'θ_T loaded', b: 'compareTo' } : rec2 ? { a: `θ_T (seed ${seed})`, b: `θ_T (seed ${options.seed2})` } : { a: 'θ₀ init', b: 'θ_T trained' };
      notes.push(fast ? 'first-layer linearity trick used' : `straightforward evaluation (${fastReason})`);
      if (interp.bn) notes.push({ interpolate: 'BatchNorm statistics interpolated between the endpoints (bn: recompute or both recomputes them at each α)',
        recompute: 'BatchNorm statistics recomputed at each α on the first 1000 training examples',
        both: 'BatchNorm statistics interpolated (main curves) and recomputed at each α on the first 1000 training examples (bnRecomputed)' }[interp.bn]);
      result.interpolate = interp;
    } else if (options.analysis === 'curvature') {
      result.curvature = await phase('probe', () => curvatureAnalysis({
        model, spec, layout: rec.layout, record: rec, train: data.train, k: options.k ?? 5, seed,
        onProgress: (done, total, message) => ev.progress?.('probe', done, total, message),
      }));
      notes.push(`Hessian on the first ${result.curvature.examples} training examples (${result.curvature.method})`);
    } else if (options.analysis === 'connect') {
      const r = await phase('probe', () => connectAnalysis({
        model, spec, layout: rec.layout, thetaA: rec.thetaT, thetaB: rec2!.thetaT, stateA: rec.stateT,
        bnSet: hasBatchNorm(model) ? bnSet(data.train.x) : undefined,
        // the bend is trained on the whole training set (a subset overfits the curve's middle)
        train: data.train, test: evalTest, points: Math.max(31, options.points), seed,
        onProgress: (done, total, message) => ev.progress?.('probe', done, total, message),
      }));
      result.connect = { ...r, seeds: [seed, options.seed2 ?? seed + 1] };
      notes.push(`quadratic Bézier curve between ${other ? `the loaded model and ${other.path}` : `the solutions of seeds ${seed} and ${options.seed2 ?? seed + 1}`}, bend trained ${r.trainSeconds.toFixed(1)} s`);
    } else {
      const rng = mulberry32(seed * 31 + 5);
      const basis: PlaneBasis = options.directions === 'random' ? randomBasis(rec.layout, rec.thetaT, rng)
        : options.directions === 'pca' ? pcaBasis(rec.thetaT, rec.snapshots, rng)
        : goodfellowBasis(rec.theta0, rec.thetaT, rec.snapshots, rng);
      const traj = { ...projectPath(basis, rec.snapshots), step: rec.snapshotSteps };
      const walk = randomWalk(basis, rec.theta0, rec.snapshots, rng);
      const ranges = planeRanges(basis.kind, traj, options.alphaRange);
      const a = linspace(ranges.a[0], ranges.a[1], options.grid), b = linspace(ranges.b[0], ranges.b[1], options.grid);
      const last = traj.a.length - 1;
      ev.planeSetup?.({ directions: basis.kind, a, b, trajectory: traj, randomWalk: walk, init: [traj.a[0], traj.b[0]], final: [traj.a[last], traj.b[last]] });
      await ev.planeBasis?.(basis, a, b);
      const split = await ev.splitPlane?.({ basis, state: rec.stateT, a, b, examples: options.examples });
      const r = await phase('probe', () => planeProbe({
        model, spec, layout: rec.layout, basis, state: rec.stateT, trajectory: traj, randomWalk: walk, a, b, train: evalTrain,
        fastFirstLayer: options.fastFirstLayer, rows: split?.rows,
        bnSet: options.bn !== 'interpolate' && hasBatchNorm(model) ? bnSet(data.train.x) : undefined,
        onCells: async (i, j, l, done, total) => { ev.progress?.('probe', done, total); await ev.planeCells?.(i, j, l, done, total); },
      }));
      if (split) {
        for (const [i, j, l] of await phase('probe', () => split.others)) r.loss[i][j] = l;
        notes.push(`plane rows split over ${1 + 1} processes`);
      }
      const { fast, fastReason, ...plane } = r;
      notes.push(fast ? 'first-layer linearity trick used' : `straightforward evaluation (${fastReason})`);
      if (rec.stateT.length) notes.push(options.bn !== 'interpolate' && hasBatchNorm(model) ? 'BatchNorm statistics recomputed at every cell on the first 1000 training examples' : 'non-trainable state (e.g. BatchNorm statistics) held at θ_T on the plane');
      result.plane = plane;
    }
    result.timing.probeSeconds = (Date.now() - t2) / 1000;
    // leave the model at θ_T
    writeParams(model, rec.thetaT); writeState(model, rec.stateT);
    return result;
  } finally {
    Math.random = original;
  }
}

function summarize(rec: TrainRecord, epochs: number, fin: { loss: number; accuracy: number | null }, finTest?: { loss: number; accuracy: number | null }): TrainSummary {
  const stride = Math.max(1, Math.ceil(rec.steps / 500));
  const lossPerStep = { step: [] as number[], loss: [] as number[] };
  for (let s = 0; s < rec.steps; s += stride) {
    let sum = 0, k = 0;
    for (let t = s; t < Math.min(rec.steps, s + stride); t++, k++) sum += rec.lossPerStep[t];
    lossPerStep.step.push(s + k); lossPerStep.loss.push(sum / k);
  }
  return {
    epochs, steps: rec.steps, lossPerEpoch: rec.lossPerEpoch, lossPerStep,
    finalTrainLoss: fin.loss, finalTestLoss: finTest?.loss ?? NaN,
    finalTrainAccuracy: fin.accuracy, finalTestAccuracy: finTest?.accuracy ?? null,
    parameters: rec.layout.total, snapshots: rec.snapshots.length,
  };
}

async function runSurvey(definition: string, config: TrainConfig, options: ResolvedOptions, backend: BackendName,
  ev: ProbeEvents, file: string, data: Awaited<ReturnType<typeof loadData>>, t0: number): Promise<ProbeResult> {
  const evalTrain = head(data.train, options.examples);
  const evalTest = data.test ? head(data.test, options.examples) : undefined;
  const examples: ExampleCounts = {
    train: data.train.x.shape[0], test: data.test?.x.shape[0] ?? 0,
    evalTrain: evalTrain.x.shape[0], evalTest: evalTest?.x.shape[0] ?? 0,
  };
  const loadSeconds = (Date.now() - t0) / 1000;
  const t1 = Date.now();
  const survey = await phase('train', () => surveyAnalysis({
    config, spec: () => lossSpec(config.loss, config.metrics), data, evalTrain, evalTest,
    runs: options.runs ?? 10, tolerance: options.tolerance, grid: options.grid, points: options.points,
    onRun: (i, total, run) => ev.surveyRun?.(i, total, run),
    onProgress: (done, total, message) => ev.progress?.('train', done, total, message),
  }));
  const { bestRecord, ...rest } = survey;
  const best = rest.runs[rest.best];
  const train = summarize(bestRecord, config.epochs ?? 1, { loss: best.finalLoss, accuracy: best.finalAccuracy },
    best.finalTestLoss === null ? undefined : { loss: best.finalTestLoss, accuracy: null });
  ev.trained?.(train, examples);
  const notes = [`${rest.runs.length} trainings; stuck = final train loss > best + ${rest.tolerance.toPrecision(3)}`];
  if (examples.evalTrain < examples.train) notes.push(`losses estimated on the first ${examples.evalTrain} of ${examples.train} training examples`);
  return {
    schema: 'loss-landscape/result@1', file, definition, analysis: 'survey', backend, examples, options: { ...options },
    train, survey: rest, timing: { loadSeconds, trainSeconds: (Date.now() - t1) / 1000, probeSeconds: 0 }, notes,
  };
}

/**
 * A worker's share of a plane: rebuild the model (its weights come from the basis), load the
 * same data subset and evaluate the given rows. Cells stream through `onCells`.
 */
export async function runPlaneRows(config: LandscapeConfig, options: ResolvedOptions, job: PlaneJob, rows: number[],
  onCells: (i: number[], j: number[], loss: number[]) => void | Promise<void>): Promise<void> {
  const data = await phase('data', () => loadData(config));
  const original = Math.random;
  Math.random = mulberry32((config.seed ?? 1) * 7919 + 17);
  try {
    const model = await phase('model', () => buildModel(config));
    const spec = lossSpec(config.loss, config.metrics);
    const layout = paramLayout(model);
    await phase('probe', () => planeProbe({
      model, spec, layout, basis: job.basis, state: job.state, trajectory: { a: [], b: [], step: [] }, randomWalk: { a: [], b: [] },
      a: job.a, b: job.b, train: head(data.train, job.examples), fastFirstLayer: options.fastFirstLayer, rows,
      onCells: (i, j, l) => onCells(i, j, l),
    }));
  } finally { Math.random = original; }
}

async function runCompare(definition: string, config: TrainConfig, options: ResolvedOptions, backend: BackendName,
  ev: ProbeEvents, file: string, data: Awaited<ReturnType<typeof loadData>>, t0: number): Promise<ProbeResult> {
  const evalTrain = head(data.train, options.examples);
  const evalTest = data.test ? head(data.test, options.examples) : undefined;
  const examples: ExampleCounts = { train: data.train.x.shape[0], test: data.test?.x.shape[0] ?? 0, evalTrain: evalTrain.x.shape[0], evalTest: evalTest?.x.shape[0] ?? 0 };
  const loadSeconds = (Date.now() - t0) / 1000;
  const t1 = Date.now();
  const spec = await phase('model', () => lossSpec(config.loss, config.metrics));
  const r = await phase('train', () => compareAnalysis({ config, spec, data, evalTrain, evalTest, points: options.points, grid: options.grid,
    alphaRange: options.alphaRange, onProgress: (d, t, m) => ev.progress?.('train', d, t, m) }));
  const { first, ...compare } = r;
  const r0 = compare.runs[0];
  const train = summarize(first, config.epochs ?? 1, { loss: r0.finalTrainLoss, accuracy: null }, r0.finalTestLoss === null ? undefined : { loss: r0.finalTestLoss, accuracy: r0.finalTestAccuracy });
  ev.trained?.(train, examples);
  return { schema: 'loss-landscape/result@1', file, definition, analysis: 'compare', backend, examples, options: { ...options }, train, compare,
    timing: { loadSeconds, trainSeconds: (Date.now() - t1) / 1000, probeSeconds: 0 },
    notes: [`${compare.runs.length} runs from the same θ₀; plane: goodfellow directions of '${r0.name}'`] };
}
