/**
 * Probing a model trained elsewhere (`model: models.load('./model.json')`): nothing is trained.
 * This builds the TrainRecord the analyses read, from files instead of a training run:
 *   θ_T  the loaded weights;
 *   θ₀   the first checkpoint when `checkpoints` are given (where the saved trajectory starts),
 *        else a fresh initialization of the same architecture (drawn from Math.random, which
 *        the caller seeds with the definition's seed);
 *   snapshots  the checkpoints in order (θ_T appended when it is not the last one), so the
 *        plane draws them as the path and PCA takes its directions from them; without
 *        checkpoints, just θ₀ and θ_T.
 * The analyses that need a training run (survey, compare, connect, a second seed) refuse.
 * Reads files only through the SavedModel / SavedCheckpoints objects of the API (no fs here).
 */
import type * as tf from '@tensorflow/tfjs';
import type { LandscapeConfig, SavedCheckpoints, SavedModel, TrainConfig } from '../api/types';
import { paramLayout, ParamLayout, readParams, readState } from './params';
import type { TrainRecord } from './train';

export type LoadedConfig = LandscapeConfig & { model: SavedModel };

export function isLoadedConfig(config: LandscapeConfig): config is LoadedConfig {
  const m = config.model as unknown;
  return !!m && typeof m === 'object' && (m as SavedModel).__lossLandscapeSavedModel === 1;
}

/**
 * Throws a clear error when the analysis needs a training run and the model is loaded; `why` is
 * the analysis's own reason (its `withoutTraining` entry in ./analyses), undefined when it can run.
 */
export function refuseWithoutTraining(config: LandscapeConfig, analysis: string, why: (hasCompareTo: boolean) => string | undefined): void {
  if (!isLoadedConfig(config)) return;
  const reason = why(config.compareTo !== undefined);
  if (reason) {
    throw new Error(`${analysis} needs training: ${reason}, but this definition's model is loaded from ${config.model.path} ` +
      '(models.load) and there is nothing to train. Run interpolate, plane or curvature on it, or define model: () => … with an optimizer to train one.');
  }
}

/** The config as one that trains (a function model and an optimizer), or an error saying what is missing. */
export function asTrainConfig(config: LandscapeConfig): TrainConfig {
  if (isLoadedConfig(config)) throw new Error(`the model is loaded from ${config.model.path}: there is nothing to train`);
  if (typeof config.optimizer !== 'function') throw new Error("'optimizer' is required to train the model, e.g. optimizer: () => tf.train.sgd(0.1)");
  return config as TrainConfig;
}

/** Builds the definition's model: calls model(), or loads the saved one. */
export async function buildModel(config: LandscapeConfig): Promise<tf.LayersModel> {
  return isLoadedConfig(config) ? config.model.load() : (config.model as () => tf.LayersModel)();
}

function sameLayout(a: ParamLayout, b: ParamLayout): boolean {
  return a.total === b.total && a.entries.length === b.entries.length &&
    a.entries.every((e, i) => e.shape.length === b.entries[i].shape.length && e.shape.every((s, k) => s === b.entries[i].shape[k]));
}

/**
 * The `compareTo` model as a record whose θ_T is its weights (the second endpoint of
 * interpolate and connect); its architecture must match the loaded model's.
 */
export async function loadCompareTo(config: LoadedConfig, layout: ParamLayout): Promise<TrainRecord> {
  const other = config.compareTo!;
  const m = await other.load();
  try {
    const l = paramLayout(m);
    if (!sameLayout(l, layout)) throw new Error(`compareTo: ${other.path} has another architecture than ${config.model.path} (${l.total} vs ${layout.total} parameters)`);
    const theta = await readParams(m), state = await readState(m);
    return { layout, theta0: theta, thetaT: theta, state0: state, stateT: state, snapshots: [theta], snapshotSteps: [0], lossPerEpoch: [], lossPerStep: new Float32Array(0), steps: 0 };
  } finally { m.dispose(); }
}

export interface LoadedRecord {
  model: tf.LayersModel;
  record: TrainRecord;
  /** Lines for the result's notes (what was loaded, what θ₀ is). */
  notes: string[];
}

/**
 * Loads the model (θ_T), θ₀ and the checkpoints into a TrainRecord. Call with Math.random
 * seeded: the fresh initialization draws from it. At most `maxSnapshots` checkpoints are kept
 * (evenly spaced, first and last included).
 */
export async function loadRecord(config: LoadedConfig, opts: { maxSnapshots?: number; onProgress?: (message: string) => void } = {}): Promise<LoadedRecord> {
  const saved = config.model;
  opts.onProgress?.(`loading ${saved.path}`);
  const fresh = await saved.fresh();
  let theta0 = await readParams(fresh), state0 = await readState(fresh);
  fresh.dispose();
  const model = await saved.load();
  const layout = paramLayout(model);
  const thetaT = await readParams(model), stateT = await readState(model);
  const notes = [`no training: weights loaded from ${saved.path} (${layout.total.toLocaleString('en-US')} parameters)`];
  let snapshots = [theta0, thetaT], snapshotSteps = [0, 1];
  if (config.checkpoints) {
    const cp: SavedCheckpoints = config.checkpoints;
    let entries = cp.list();
    const cap = Math.max(2, Math.min(opts.maxSnapshots ?? 201, Math.floor(384 * 2 ** 20 / (4 * Math.max(1, layout.total)))));
    if (entries.length > cap) {
      const keep = new Set(Array.from({ length: cap }, (_, k) => Math.round((k * (entries.length - 1)) / (cap - 1))));
      entries = entries.filter((_, i) => keep.has(i));
    }
    snapshots = []; snapshotSteps = [];
    for (const [i, e] of entries.entries()) {
      opts.onProgress?.(`loading checkpoint ${i + 1}/${entries.length}: ${e.name}`);
      const m = await cp.load(e, saved);
      try {
        const l = paramLayout(m);
        if (!sameLayout(l, layout)) {
          throw new Error(`models.checkpoints: ${e.path} has another architecture than ${saved.path} (${l.total} vs ${layout.total} parameters, weight shapes ${l.entries.map((x) => JSON.stringify(x.shape)).join(' ')})`);
        }
        snapshots.push(await readParams(m));
        if (i === 0) state0 = await readState(m);
      } finally { m.dispose(); }
      snapshotSteps.push(e.step ?? i);
    }
    theta0 = snapshots[0];
    const last = snapshots[snapshots.length - 1];
    if (!last.every((v, k) => v === thetaT[k])) { snapshots.push(thetaT); snapshotSteps.push(snapshotSteps[snapshotSteps.length - 1] + 1); }
    else snapshots[snapshots.length - 1] = thetaT;
    notes.push(`trajectory: ${entries.length} checkpoint(s) from ${cp.folder}${snapshots.length > entries.length ? ' and the loaded weights' : ''}; θ₀ = the first checkpoint (${entries[0].name})`);
  } else {
    notes.push('θ₀ = a fresh initialization of the same architecture (seeded): interpolation runs from it to the loaded weights');
  }
  const record: TrainRecord = {
    layout, theta0, thetaT, state0, stateT, snapshots, snapshotSteps,
    lossPerEpoch: [], lossPerStep: new Float32Array(0), steps: 0,
  };
  return { model, record, notes };
}
