/**
 * One probe, start to finish: data → (model → recorded training →) the asked analysis, looked up
 * in the analyses table (./analyses). Pure TF.js; the runner process and the tests call it, with
 * callbacks for streaming. Options are validated here for every source (shared/options.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { LandscapeConfig } from '../api/types';
import type { AnyProbeOptions, BackendName, ExampleCounts, ProbeResult } from '../protocol';
import { defaultProbeOptions } from '../shared/defaults';
import { RESULT_SCHEMA } from '../shared/wire';
import { assertValidOptions, definitionOptions } from '../shared/options';
import { lossSpec } from './losses';
import { checkModelInput, head, loadData, type Dataset } from './data';
import { train, type TrainRecord } from './train';
import { evaluateModel } from './evaluate';
import { evaluatePlane } from './shard-eval';
import { paramLayout, stateLayout, writeParams, writeState } from './params';
import { withSeededMathRandom } from '../shared/random';
import { checkCost, memoryLimitBytes, probeWatch } from './cost';
import { measureRate } from './calibrate';
import { summarizeTraining } from './train-summary';
import { asTrainConfig, buildModel as buildAnyModel, isLoadedConfig, loadCompareTo, loadRecord, refuseWithoutTraining, type LoadedConfig } from './loaded';
import { engineAnalysis } from './analyses';
import {
  phase, type PlaneJob, type ProbeContext, type ProbeEvents, type ProbesTraining, type ResolvedOptions, type TrainedContext,
} from './analyses/context';

export { PhaseError } from './analyses/context';
export type { GridJob, LineJob, LineSplit, PlaneJob, PlaneSplit, ProbeEvents, ResolvedOptions } from './analyses/context';

/**
 * The options of one probe: the request's, else the definition's `probe`/`survey` blocks, else
 * the defaults. Both sources are validated first (OptionsError names the bad fields).
 */
export function resolveOptions(config: LandscapeConfig, o: Partial<AnyProbeOptions>): ResolvedOptions {
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
    blas: pick(o.blas, defaultProbeOptions.blas),
    saveWeights: o.saveWeights,
    runs: pick(o.runs, config.survey?.runs, defaultProbeOptions.runs),
    seed2: pick(o.seed2, d.seed2),
    k: o.k,
    bn: pick(o.bn, d.bn, 'interpolate'),
    align: pick(o.align, d.align, 'none'),
    spawn: pick(o.spawn, d.spawn),
    tolerance: pick(o.tolerance, config.survey?.tolerance),
    operator: pick(o.operator, d.operator),
    traceMethod: pick(o.traceMethod, d.traceMethod),
    traceError: pick(o.traceError, d.traceError),
  };
}

/** The evaluation subsets (the first `examples` ones) and the counts the result reports. */
function evalSets(data: Dataset, examples: number): Pick<ProbeContext, 'evalTrain' | 'evalTest' | 'examples'> {
  const evalTrain = head(data.train, examples);
  const evalTest = data.test ? head(data.test, examples) : undefined;
  const counts: ExampleCounts = {
    train: data.train.x.shape[0], test: data.test?.x.shape[0] ?? 0,
    evalTrain: evalTrain.x.shape[0], evalTest: evalTest?.x.shape[0] ?? 0,
  };
  return { evalTrain, evalTest, examples: counts };
}

async function buildModel(config: LandscapeConfig): Promise<tf.LayersModel> {
  const m = await buildAnyModel(config); // model() or models.load(...)
  if (!(m instanceof tf.LayersModel)) throw new Error(`model() must return a tf.LayersModel (tf.sequential(...) or tf.model(...)), got ${m === null ? 'null' : typeof m}`);
  return m;
}

export async function runProbe(definition: string, config: LandscapeConfig, options: ResolvedOptions,
  backend: BackendName, ev: ProbeEvents = {}, file = ''): Promise<ProbeResult> {
  const analysis = engineAnalysis(options.analysis);
  const t0 = Date.now();
  // a loaded model (models.load): the analyses that need a training run say so before any work
  await phase('train', () => refuseWithoutTraining(config, options.analysis, (hasCompareTo) => analysis.withoutTraining?.(options, hasCompareTo)));
  ev.progress?.('load', 0, 1, 'loading data');
  const data = await phase('data', () => loadData(config));
  const ctx: ProbeContext = { config, options, ev, data, ...evalSets(data, options.examples), seed: config.seed ?? 1, t0 };
  const head: Omit<ProbeResult, 'train' | 'timing' | 'notes'> = { schema: RESULT_SCHEMA, file, definition, analysis: options.analysis, backend, examples: ctx.examples, options: { ...options } };
  if (analysis.trains === 'itself') {
    // the pipeline times it: everything before is loading, the analysis's own trainings are training
    const loadSeconds = (Date.now() - t0) / 1000;
    const t1 = Date.now();
    const r = await analysis.run(ctx);
    return { ...head, train: r.train, timing: { loadSeconds, trainSeconds: (Date.now() - t1) / 1000, probeSeconds: 0 }, notes: r.notes, ...r.part };
  }
  // TF.js initializers and dropout draw their seeds from Math.random: seeded for the whole run
  return withSeededMathRandom(ctx.seed, () => trainAndProbe(ctx, analysis, head));
}

async function trainAndProbe(ctx: ProbeContext, analysis: ProbesTraining, head: Omit<ProbeResult, 'train' | 'timing' | 'notes'>): Promise<ProbeResult> {
  const { config, options, ev, data, seed, t0 } = ctx;
  const notes: string[] = [];
  // models.load(...): the record comes from the saved weights and checkpoints instead of training
  const loaded = isLoadedConfig(config) ? await phase('model', () => loadRecord(config, { onProgress: (m) => ev.progress?.('load', 0, 1, m) })) : undefined;
  if (loaded) notes.push(...loaded.notes);
  const model = loaded?.model ?? await phase('model', () => buildModel(config));
  await phase('model', () => { checkModelInput(model, data.train.x); if (data.test) checkModelInput(model, data.test.x); });
  const spec = await phase('model', () => lossSpec(config.loss, config.metrics));
  const optimizer = loaded ? undefined : await phase('optimizer', () => asTrainConfig(config).optimizer());
  const loadSeconds = (Date.now() - t0) / 1000;

  const t1 = Date.now();
  const epochs = loaded ? 0 : config.epochs ?? 1, batchSize = config.batchSize ?? 32;
  // Before any training: refuse what cannot fit, announce what will take long.
  const layout = paramLayout(model);
  const rate = await phase('model', () => measureRate(model, data.train.x, layout.total, head.backend));
  const warning = checkCost({
    analysis: options.analysis, parameters: layout.total, state: stateLayout(model).total, trainExamples: data.train.x.shape[0],
    evalTrain: ctx.examples.evalTrain, evalTest: ctx.examples.evalTest, epochs, points: options.points, grid: options.grid,
    snapshots: Math.max(2, Math.min(201, Math.floor(384 * 2 ** 20 / (4 * Math.max(1, layout.total))))),
  }, memoryLimitBytes(), rate);
  if (warning) { notes.push(warning); ev.warn?.(warning); }

  ev.progress?.('train', 0, epochs, loaded ? 'no training: the model is loaded' : `training ${epochs} epoch(s)`);
  const rec = loaded?.record ?? await phase('train', () => train(model, optimizer!, spec, data.train.x, data.train.y, {
    epochs, batchSize, seed, shuffle: config.shuffle ?? true,
    onEpoch: async (e, loss, steps) => { ev.progress?.('train', e + 1, epochs, `epoch ${e + 1}/${epochs}: loss ${loss.toFixed(4)}`); await ev.trainEpoch?.(e, loss, steps); },
  }));
  // A second solution from another seed (interpolate θ_T(seed) → θ_T(seed2), connect): permutation symmetry ⇒ a barrier.
  const s2 = analysis.secondSeed?.(options, seed);
  let second: TrainedContext['second'];
  const compareTo = loaded && analysis.acceptsCompareTo ? (config as LoadedConfig).compareTo : undefined;
  if (compareTo) {
    second = { rec: await phase('model', () => loadCompareTo(config as LoadedConfig, rec.layout)), seed: options.seed2 ?? seed + 1, from: compareTo.path };
    notes.push(`second endpoint: compareTo ${compareTo.path}`);
  } else if (s2 !== undefined) {
    ev.progress?.('train', 0, epochs, `training the second solution (seed ${s2})`);
    const tc = asTrainConfig(config);
    const rec2: TrainRecord = await withSeededMathRandom(s2, async () => {
      const model2 = await phase('model', () => tc.model());
      try {
        return await phase('train', () => train(model2, tc.optimizer(), spec, data.train.x, data.train.y, {
          epochs, batchSize, seed: s2, shuffle: config.shuffle ?? true, maxSnapshots: 2,
          onEpoch: (e, loss) => { ev.progress?.('train', e + 1, epochs, `seed ${s2}: epoch ${e + 1}/${epochs}: loss ${loss.toFixed(4)}`); },
        }));
      } finally { model2.dispose(); }
    });
    second = { rec: rec2, seed: s2 };
  }
  const trainSeconds = (Date.now() - t1) / 1000;
  await ev.recorded?.(rec, second && { record: second.rec, seed: second.seed });

  // after a second training, a fresh stream (as before the analyses table: seed·7919 + 19)
  const probeIt = async (): Promise<ProbeResult> => {
    const { evalTrain, evalTest, examples } = ctx;
    if (examples.evalTrain < examples.train) notes.push(`losses estimated on the first ${examples.evalTrain} of ${examples.train} training examples`);
    const fin = await phase('probe', () => evaluateModel(model, spec, evalTrain));
    const finTest = evalTest ? await phase('probe', () => evaluateModel(model, spec, evalTest)) : undefined;
    const summary = summarizeTraining(rec, epochs, fin, finTest);
    ev.trained?.(summary, examples);
    const t2 = Date.now();
    // the estimate again from the first points the probe times (its real per-point cost)
    const watch = probeWatch((m) => { notes.push(m); ev.warn?.(m); }, !!warning);
    const progress: ProbeEvents['progress'] = (ph, done, total, message) => { if (ph === 'probe') watch(done, total); ev.progress?.(ph, done, total, message); };
    const part = await analysis.probe({ ...ctx, ev: { ...ev, progress }, model, spec, rec, second, notes });
    const probeSeconds = (Date.now() - t2) / 1000;
    // leave the model at θ_T
    writeParams(model, rec.thetaT); writeState(model, rec.stateT);
    return { ...head, train: summary, timing: { loadSeconds, trainSeconds, probeSeconds }, notes, ...part };
  };
  return second ? withSeededMathRandom(seed, probeIt, 19) : probeIt();
}

/**
 * A worker's share of a plane: rebuild the model (its weights come from the basis), load the
 * same data subset and evaluate the given rows. Cells stream through `onCells`.
 */
export async function runPlaneRows(config: LandscapeConfig, options: ResolvedOptions, job: PlaneJob, rows: number[],
  onCells: (i: number[], j: number[], loss: number[]) => void | Promise<void>): Promise<void> {
  await evaluatePlane(config, options, job, { rows }, onCells);
}
