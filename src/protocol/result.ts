/**
 * The result.json schema (ProbeResult and its parts). Types only: the schema's name as a value
 * is RESULT_SCHEMA in src/shared/wire.ts.
 */
import type { AnalysisKind, AnyProbeOptions, BackendName, CurvatureOperatorKind, DirectionsKind, TraceMethodKind } from './options';

/** The format of result.json (and of ProbeResult): bump when a field changes meaning (with RESULT_SCHEMA). */
export type ResultSchema = 'loss-landscape/result@1';

/** The BLAS that computed the matrix products (wasm backend), as reported in results. */
export interface BlasReport {
  /** e.g. 'OpenBLAS 0.3.21', 'Accelerate'. */
  library: string;
  threads: number;
}

export interface ExampleCounts { train: number; test: number; evalTrain: number; evalTest: number }

export interface InterpolateResult {
  alpha: number[];
  trainLoss: number[];
  testLoss: number[];
  trainAccuracy: (number | null)[];
  testAccuracy: (number | null)[];
  /** Standard error of the train-loss estimate at each α (per-example losses). */
  trainLossSE: number[];
  monotone: boolean;
  /** NaN (null in result.json) when the loss is not finite somewhere on [0,1]. */
  barrier: number;
  /** α values in [0,1] where the loss is not finite (then monotone and barrier are unknown). */
  nonFinite?: number[];
  /** With bn 'both': the curves with BatchNorm statistics recomputed at every α. */
  bnRecomputed?: { trainLoss: number[]; testLoss: number[] };
  /** How BatchNorm statistics were handled (absent: the model has none). */
  bn?: 'interpolate' | 'recompute' | 'both';
  /** What α = 0 and α = 1 are (e.g. 'θ₀ init' / 'θ_T trained'). */
  endpoints?: { a: string; b: string };
  barrierAlpha: number;
  /** With `align`: the line from θ_a to the aligned π(θ_b), at the same α (see ProbeResult.alignment). */
  aligned?: InterpolateResult;
}

export interface PlaneResult {
  directions: DirectionsKind | 'survey';
  /** Grid coordinates along u (columns) and v (rows). */
  a: number[];
  b: number[];
  /** loss[i][j] = J(θ_c + a[j]·u + b[i]·v) on the train subset: rows of b, columns of a. */
  loss: number[][];
  testLoss?: number[][];
  /** The training path projected on (u, v). */
  trajectory: { a: number[]; b: number[]; step: number[] };
  /** Random walk with the same step norms, projected on (u, v). */
  randomWalk: { a: number[]; b: number[] };
  /** A second path (the survey's best run), with a label. */
  otherPath?: { a: number[]; b: number[]; label: string };
  /** Where θ₀ and θ_T land on the plane. */
  init: [number, number];
  final: [number, number];
  /** Fraction of the trajectory's displacement the plane explains (0..1). */
  explained: number | null;
  /** ‖u‖ and ‖v‖ in parameter space. */
  norms: [number, number];
}

export interface SurveyRun {
  seed: number;
  init: string;
  finalLoss: number;
  finalTestLoss: number | null;
  finalAccuracy: number | null;
  stuck: boolean;
  /** Hidden ReLU units dead on every example at θ_T (null: not a Sequential model). */
  deadUnits: number | null;
  /** Hidden sigmoid/tanh units saturated on every example at θ_T. */
  saturatedUnits: number | null;
  /** Examples on which no unit of the first ReLU layer is active (blind spots). */
  blindExamples: number | null;
  /** The same counts at θ₀. */
  deadUnitsInit: number | null;
  saturatedUnitsInit: number | null;
  trainSeconds: number;
}

export interface SurveyResult {
  runs: SurveyRun[];
  /** Index into runs of the lowest final loss. */
  best: number;
  tolerance: number;
  stuckCount: number;
  /** Per init scheme: runs and stuck runs. */
  byInit: Record<string, { runs: number; stuck: number }>;
  /** Histogram of final losses. */
  histogram: { edges: number[]; counts: number[] };
  /** Index of the stuck run compared with the best (the worst one), if any. */
  stuck?: number;
  /** Straight line θ_T(best) (α = 0) → θ_T(stuck) (α = 1). */
  bestToStuck?: InterpolateResult;
  /** Plane through θ₀(stuck) (0,0), θ_T(stuck) (1,0) and θ_T(best) (0,1), both paths drawn. */
  stuckPlane?: PlaneResult;
}

export interface CompareRun {
  name: string;
  finalTrainLoss: number;
  finalTestLoss: number | null;
  finalTestAccuracy: number | null;
  /** θ₀ → θ_T(this run) on the evaluation sets. */
  curve: { alpha: number[]; trainLoss: number[]; testLoss: number[]; monotone: boolean; barrier: number };
  /** This run's path projected on the plane of the first run (the definition itself). */
  path: { a: number[]; b: number[] };
  trainSeconds: number;
}

export interface CompareResult {
  runs: CompareRun[];
  /** Goodfellow plane of the first run; every run's path is in `runs[k].path`. */
  plane: PlaneResult;
}

export interface TrainSummary {
  epochs: number;
  steps: number;
  lossPerEpoch: number[];
  /** Mean loss of each recorded step window (bounded length). */
  lossPerStep: { step: number[]; loss: number[] };
  finalTrainLoss: number;
  finalTestLoss: number;
  finalTrainAccuracy: number | null;
  finalTestAccuracy: number | null;
  parameters: number;
  snapshots: number;
  /**
   * How the training steps were computed: 'blas-dense' (a Dense stack's steps written on the
   * BLAS, no autodiff), 'autodiff' (TF.js's gradients); absent when nothing was trained.
   */
  stepsOn?: 'blas-dense' | 'autodiff';
}

export interface ProbeResult {
  schema: ResultSchema;
  file: string;
  definition: string;
  analysis: AnalysisKind;
  backend: BackendName;
  /** The BLAS under the wasm backend; null when the matrix products ran on the wasm kernels (absent in old results). */
  blas?: BlasReport | null;
  examples: ExampleCounts;
  /** The resolved options of the run (every field, defaults filled in). */
  options: AnyProbeOptions;
  train: TrainSummary;
  interpolate?: InterpolateResult;
  plane?: PlaneResult;
  survey?: SurveyResult;
  compare?: CompareResult;
  curvature?: CurvatureResult;
  connect?: ConnectResult & { seeds: [number, number] };
  /** The second solution aligned onto the first (`align`), with the barriers before and after. */
  alignment?: AlignmentResult;
  instability?: InstabilityResult;
  timing: { loadSeconds: number; trainSeconds: number; probeSeconds: number };
  /** Notes worth showing (fast path used, subset used, non-trainable state handling...). */
  notes: string[];
  /**
   * Workspace files the run read (datasets.csv/images, models.load/checkpoints; folders by
   * their listing), with their content hashes: a cached result is valid only while they are
   * unchanged (api/files.ts filesUnchanged).
   */
  inputs?: Array<{ path: string; size: number; sha256: string }>;
  /** `--save-weights`: the folder, the files written (params.json last), or why they could not be. */
  weights?: { dir: string; files: string[]; error?: string };
  /** Where the arithmetic ran: the backend and, on WebGPU, the adapter's description (else null). */
  device?: { backend: BackendName; adapter: string | null; software?: boolean };
  /** A merge of shards that lacked some cells (`merge --partial`): those cells are NaN (null in JSON). */
  partial?: { missing: number; of: number };
}

/** curvature: the Hessian (or GGN) at θ_T (Lanczos, SLQ density, Hutch++ trace, per-layer blocks), slices along its eigenvectors, λ along the path. */
export interface CurvatureResult {
  eigenvalues: number[];
  lambdaMin: number;
  trace: number;
  traceSE: number;
  verdict: string;
  verdictText: string;
  /** How Hessian-vector products were computed ('r-op': the R-operator on the BLAS, for Dense stacks). */
  method: 'r-op' | 'double-backprop' | 'finite-difference';
  slices: { t: number[]; top: number[]; bottom: number[] };
  /**
   * λ along the path: fixed-length Lanczos runs (not iterated to convergence), so estimates;
   * `lambdaMinResidual` bounds each λ_min's error.
   */
  alongPath: { step: number[]; lambdaMax: number[]; lambdaMin: number[]; lambdaMinResidual?: number[] };
  /** Extras: J(θ_T), ‖∇J(θ_T)‖, residual estimates, why finite differences were used, timings. */
  loss: number;
  gradNorm: number;
  /** Residuals ‖Hy − λy‖ of the top eigenpairs and of λ_min: each bounds that eigenvalue's error. */
  residuals: number[];
  lambdaMinResidual?: number;
  /** Lanczos iterated until every reported eigenvalue was within tolerance; false: they are estimates. */
  converged?: boolean;
  lanczosSteps?: number;
  traceExact: boolean;
  fallbackReason?: string;
  /** Training examples the Hessian was computed on (the first ones of the set). */
  examples: number;
  seconds: number;
  /** The operator (absent in results before it could be chosen: the Hessian). */
  operator?: CurvatureOperatorKind;
  /** GGN: where the network was split (logits for softmax / sigmoid crossentropy, else the output). */
  ggnSplit?: string;
  /** The trace's estimator, its products, its target relative standard error and whether it was reached. */
  traceMethod?: TraceMethodKind;
  traceProducts?: number;
  traceTarget?: number;
  traceReached?: boolean;
  /** The eigenvalue spectral density by stochastic Lanczos quadrature. */
  density?: CurvatureDensity;
  /** Each layer's diagonal block: its top eigenvalue, λ_min and trace. */
  layers?: CurvatureLayer[];
  /** The seed of every random start (Lanczos, SLQ, trace): the same seed gives the same numbers. */
  seed?: number;
  /** Operator products over the whole analysis at θ_T (Lanczos, SLQ, trace, layers). */
  products?: number;
}

/** curvature.density: stochastic Lanczos quadrature (runs × steps products), Gaussian-broadened. */
export interface CurvatureDensity {
  /** The grid and the density on it (∫ = 1). */
  x: number[];
  density: number[];
  /** Ritz values above the bulk edge (median over runs), and where the bulk ends. */
  outliers: number;
  bulkEdge: number;
  runs: number;
  steps: number;
  /** Standard deviation of the broadening. */
  sigma: number;
  /** The quadrature's first two moments: estimates of tr(A)/n and tr(A²)/n. */
  moments: [number, number];
  /** Each run's Ritz values (descending) and weights. */
  nodes: number[][];
  weights: number[][];
}

/** curvature.layers[i]: the block of one layer's own parameters. */
export interface CurvatureLayer {
  name: string;
  parameters: number;
  lambdaMax: number;
  lambdaMin: number;
  trace: number;
  traceSE: number;
  converged: boolean;
}

/** connect: a trained quadratic Bézier curve between two solutions, beside the straight line. */
export interface ConnectResult {
  t: number[];
  curveTrainLoss: number[];
  curveTestLoss: number[];
  lineTrainLoss: number[];
  lineTestLoss: number[];
  /** Maxima over t of the test losses (NaN without a test set). */
  curveMaxTestLoss: number;
  lineMaxTestLoss: number;
  endpointTestLoss: [number, number];
  trainSeconds: number;
  // extras
  curveMaxTrainLoss: number;
  lineMaxTrainLoss: number;
  endpointTrainLoss: [number, number];
  curveTrainAccuracy: (number | null)[];
  curveTestAccuracy: (number | null)[];
  lineTrainAccuracy: (number | null)[];
  lineTestAccuracy: (number | null)[];
  /** Mean of the sampled J(θ(t)) per epoch of the curve's training. */
  lossPerEpoch: number[];
  /** With `align`: the curve and the line join θ_a and π(θ_b); this is the straight line to θ_b itself, at the same t. */
  unaligned?: { lineTrainLoss: number[]; lineTestLoss: number[]; lineTrainAccuracy: (number | null)[]; lineTestAccuracy: (number | null)[] };
}

/**
 * Permutation alignment (Ainsworth, Hayase & Srinivasa 2022): the second solution's hidden units
 * permuted onto the first's — the same function, another point of weight space.
 */
export interface AlignmentResult {
  method: 'weights' | 'activations';
  /** The permuted hidden layers: their units and how many of them moved. */
  layers: Array<{ name: string; units: number; moved: number }>;
  seconds: number;
  /** Loss barrier (train, above the chord) of the straight line before and after alignment. */
  barrierBefore: number;
  barrierAfter: number;
  // extras
  /** Error barrier (1 − accuracy above the chord; test set when there is one, else train) before and after; NaN without accuracy. */
  errorBarrierBefore: number;
  errorBarrierAfter: number;
  errorSet: 'test' | 'train';
  /** Weight matching: coordinate-descent sweeps over the layers. */
  sweeps?: number;
  /** How BatchNorm statistics were handled along the aligned line (absent: no BatchNorm). */
  bn?: 'interpolate' | 'recompute' | 'both';
}

/**
 * Instability analysis (Frankle, Dziugaite, Roy & Carbin 2020): two copies of θ_k trained to the
 * end with different data orders; the barriers of the line between them, per spawn point k.
 */
export interface InstabilityResult {
  /** The spawn points as asked ('2' = epoch 2, '100s' = step 100). */
  spawn: string[];
  /** Loss barrier (train, above the chord) between the two copies' ends, per spawn point. */
  lossBarrier: number[];
  /** Error barrier (1 − accuracy above the chord), per spawn point; NaN without accuracy. */
  errorBarrier: number[];
  /** The first spawn point whose error barrier is ≤ `tolerance` (null: none). */
  firstStable: string | null;
  // extras
  /** The step of each spawn point. */
  spawnSteps: number[];
  totalSteps: number;
  /** Stable: error barrier ≤ tolerance (Frankle et al.'s 2 %). */
  tolerance: number;
  /** The set the barriers are measured on. */
  set: 'test' | 'train';
  /** The lines between the copies: α and, per spawn point, the loss and error at each α. */
  alpha: number[];
  loss: number[][];
  error: number[][];
  /** The copies' final errors, per spawn point. */
  finalError: Array<[number, number]>;
  seconds: number;
}
