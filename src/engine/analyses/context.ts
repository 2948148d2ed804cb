/**
 * What every engine analysis gets and gives. The pipeline (../run-probe.ts) loads the data once;
 * an analysis either trains on its own (survey, compare: many trainings) or is handed one
 * recorded training (θ₀, θ_T, the path; a second solution when it asks for one) and probes it.
 */
import * as tf from '@tensorflow/tfjs';
import type { LandscapeConfig } from '../../api/types';
import type { AnalysisKind, AnyProbeOptions, ExampleCounts, LinePoint, PlaneResult, ProbeResult, SurveyRun, TrainSummary } from '../../protocol';
import type { Dataset } from '../data';
import type { EvalSet } from '../evaluate';
import type { LossSpec } from '../losses';
import type { TrainRecord } from '../train';
import type { PlaneBasis } from '../directions';

type OptionalKeys = 'saveWeights' | 'runs' | 'tolerance' | 'seed2' | 'k' | 'operator' | 'traceMethod' | 'traceError' | 'spawn';
export type ResolvedOptions = Required<Omit<AnyProbeOptions, OptionalKeys>> & Pick<AnyProbeOptions, OptionalKeys>;

export interface PlaneJob { basis: PlaneBasis; state: Float32Array; a: number[]; b: number[]; examples: number }
export interface PlaneSplit { rows: number[]; others: Promise<Array<[number, number, number]>> }
/** A line shared with another process: the points (indices into α) done here, the others' values. */
export interface LineSplit { indices: number[]; others: Promise<Array<[number, LinePoint]>> }
/** A line θ(α) = (1−α)·θ_a + α·θ_b with its state endpoints and its α values. */
export interface LineJob { thetaA: Float32Array; thetaB: Float32Array; stateA: Float32Array; stateB: Float32Array; alpha: number[] }
/** The grid of an analysis, fixed, with the evaluation sets it is evaluated on (for a plan). */
export type GridJob =
  | { kind: 'plane'; plane: PlaneJob; sets: { train: EvalSet } }
  | { kind: 'line'; line: LineJob; sets: { train: EvalSet; test?: EvalSet } };

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
   * The same for a line's points: `onOther` is called as the other process's points arrive (to
   * report them), and `others` has them all at the end (to fill them in).
   */
  splitLine?(job: LineJob, sets: { train: EvalSet; test?: EvalSet }, onOther: (index: number, p: LinePoint) => void | Promise<void>): Promise<LineSplit | undefined>;
  /**
   * Called once training is done, with everything recorded (e.g. to save weights) and the
   * second solution when the analysis trains one (seed2, connect).
   */
  recorded?(record: TrainRecord, second?: { record: TrainRecord; seed: number }): void | Promise<void>;
  /** Something the user should know before waiting (e.g. the probe will take long). */
  warn?(message: string): void;
  /** The plane's basis once it is fixed: θ(a, b) = center + a·u + b·v. */
  planeBasis?(basis: PlaneBasis, a: number[], b: number[]): void | Promise<void>;
  /**
   * A plan (loss-landscape plan): the analysis's grid, fixed. True: do not evaluate it here (it
   * is evaluated by shards); the result then has NaN where the grid's values go.
   */
  deferGrid?(job: GridJob): boolean | Promise<boolean>;
}

/** A user-code failure in a named phase (the runner maps its stack to the user's file). */
export class PhaseError extends Error {
  constructor(readonly phase: 'data' | 'model' | 'optimizer' | 'train' | 'probe', readonly cause: unknown) {
    super(`${phase}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

export async function phase<T>(name: PhaseError['phase'], fn: () => T | Promise<T>): Promise<T> {
  try { return await fn(); } catch (e) { throw e instanceof PhaseError ? e : new PhaseError(name, e); }
}

/** Everything an analysis may need before any training. */
export interface ProbeContext {
  config: LandscapeConfig;
  options: ResolvedOptions;
  ev: ProbeEvents;
  data: Dataset;
  /** the first `options.examples` examples (all when 0) */
  evalTrain: EvalSet;
  evalTest?: EvalSet;
  examples: ExampleCounts;
  seed: number;
  /** when the probe started (ms) */
  t0: number;
}

/** …and after the one recorded training of the pipeline. */
export interface TrainedContext extends ProbeContext {
  model: tf.LayersModel;
  spec: LossSpec;
  rec: TrainRecord;
  /**
   * The second solution, when the analysis asked for one (`secondSeed`), or the loaded model's
   * `compareTo` (then `from` is its path).
   */
  second?: { rec: TrainRecord; seed: number; from?: string };
  /** Notes of the result so far (an analysis appends its own). */
  notes: string[];
}

/** An analysis's part of the result: its own field (e.g. `plane`) and what it adds. */
export type ResultPart = Partial<Pick<ProbeResult, AnalysisKind>> & Partial<Pick<ProbeResult, 'connect' | 'alignment'>>;

/** The result of an analysis that trains on its own. */
export interface OwnResult {
  part: ResultPart;
  train: TrainSummary;
  notes: string[];
}

interface Common<K extends AnalysisKind> {
  kind: K;
  /**
   * Why it cannot run on a model loaded with models.load (nothing to train), given whether the
   * definition names a `compareTo` model; undefined (or absent): it can.
   */
  withoutTraining?(o: ResolvedOptions, hasCompareTo: boolean): string | undefined;
}

/** Probes the one recorded training the pipeline does (interpolate, plane, curvature, connect). */
export interface ProbesTraining<K extends AnalysisKind = AnalysisKind> extends Common<K> {
  trains: 'once';
  /** The seed of a second solution to train, when this analysis (with these options) needs one. */
  secondSeed?(o: ResolvedOptions, seed: number): number | undefined;
  /** A loaded model's `compareTo: models.load(...)` is its second endpoint. */
  acceptsCompareTo?: boolean;
  probe(ctx: TrainedContext): Promise<ResultPart>;
}

/** Trains as often as it needs itself (survey, compare). */
export interface TrainsItself<K extends AnalysisKind = AnalysisKind> extends Common<K> {
  trains: 'itself';
  run(ctx: ProbeContext): Promise<OwnResult>;
}

export type EngineAnalysis<K extends AnalysisKind = AnalysisKind> = ProbesTraining<K> | TrainsItself<K>;

/** BatchNorm statistics are recomputed on a fixed batch set: the first 1000 training inputs. */
export const bnSet = (x: tf.Tensor): tf.Tensor => (x.shape[0] > 1000 ? tf.slice(x, 0, 1000) : x);
