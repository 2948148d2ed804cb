/**
 * Typed messages between the runner (child process), the extension host / CLI and the webview.
 * Data flows one way: runner → host → webview. Every message carries the `runId` of the run
 * it belongs to so that stale chunks of a cancelled run are dropped by the receiver.
 * Numeric payloads are plain number arrays (they cross a JSON IPC channel and postMessage).
 */

export type AnalysisKind = 'interpolate' | 'plane' | 'survey' | 'compare' | 'curvature' | 'connect';
export type DirectionsKind = 'goodfellow' | 'random' | 'pca';
/** 'auto' is a request only: a result names the backend that ran ('webgpu' or 'wasm'). */
export type BackendName = 'wasm' | 'cpu' | 'node' | 'webgpu' | 'auto';

/**
 * The runner's watchdog writes one line to stderr starting with this before it ends the process
 * (its event loop may be blocked, so not over IPC): `… out of memory: …` or `… parent … gone`.
 */
export const WATCHDOG_MARKER = 'loss-landscape-runner:';

/** The format of result.json (and of ProbeResult): bump when a field changes meaning. */
export const RESULT_SCHEMA = 'loss-landscape/result@1';


/** Every probe option, each documented once; an analysis takes the ones its entry lists. */
export interface OptionFields {
  /** plane: how the two directions are chosen. */
  directions?: DirectionsKind;
  /** interpolate, compare, survey, connect: number of α values (default 41). */
  points?: number;
  /** interpolate, compare (and the plane's range from the CLI): α range (default [-0.5, 1.5]). */
  alphaRange?: [number, number];
  /** plane, compare, survey: grid size N (N×N points, default 21). */
  grid?: number;
  /** Evaluate on the first N train and N test examples only (0 / undefined = all). */
  examples?: number;
  backend?: BackendName;
  /**
   * BatchNorm statistics at each probed point: 'interpolate' them like the weights (default),
   * 'recompute' them on a fixed batch set (update_bn), or 'both' (interpolate: a second curve).
   */
  bn?: 'interpolate' | 'recompute' | 'both';
  /** interpolate, connect: endpoints θ_T(seed) → θ_T(seed2) of two trainings instead of θ₀ → θ_T. */
  seed2?: number;
  /** curvature: number of top Hessian eigenvalues (default 5). */
  k?: number;
  /** survey: trainings per init scheme (default 10, or the definition's survey.runs). */
  runs?: number;
  /** survey: stuck when final loss > best + tolerance (default 0.01 + 10 % of the best). */
  tolerance?: number;
  /** Directory to write θ_a, θ_b and the trajectory as float32 + params.json. */
  saveWeights?: string;
  /** Use the first-layer linearity trick where it applies (default true). */
  fastFirstLayer?: boolean;
  /** wasm backend: compute matrix products with the machine's BLAS when one loads (default true). */
  blas?: boolean;
}

type Common = Pick<OptionFields, 'examples' | 'backend' | 'saveWeights' | 'fastFirstLayer' | 'blas'>;

/** What each analysis takes (besides the common options). */
export interface OptionsByAnalysis {
  interpolate: Pick<OptionFields, 'points' | 'alphaRange' | 'bn' | 'seed2'>;
  plane: Pick<OptionFields, 'grid' | 'directions' | 'alphaRange' | 'bn'>;
  survey: Pick<OptionFields, 'runs' | 'tolerance' | 'grid' | 'points'>;
  compare: Pick<OptionFields, 'points' | 'grid' | 'alphaRange'>;
  curvature: Pick<OptionFields, 'k'>;
  connect: Pick<OptionFields, 'points' | 'seed2'>;
}

/** What to probe: a union per analysis. Every field but `analysis` has a default (`defaultProbeOptions`). */
export type ProbeOptions = { [K in AnalysisKind]: { analysis: K } & Common & OptionsByAnalysis[K] }[AnalysisKind];

/** Options handled field by field (parsing, validation, settings): any field, of any analysis. */
export type AnyProbeOptions = { analysis: AnalysisKind } & OptionFields;

export const defaultProbeOptions = {
  directions: 'goodfellow' as DirectionsKind,
  points: 41,
  alphaRange: [-0.5, 1.5] as [number, number],
  grid: 21,
  examples: 0,
  backend: 'wasm' as BackendName,
  fastFirstLayer: true,
  blas: true,
  /** curvature: top eigenvalues */
  k: 5,
  /** survey: trainings per init scheme (when neither the request nor the definition says) */
  runs: 10,
};

/** The BLAS that computed the matrix products (wasm backend), as reported in results. */
export interface BlasReport {
  /** e.g. 'OpenBLAS 0.3.21', 'Accelerate'. */
  library: string;
  threads: number;
}

/** How a BLAS is named beside the backend (CLI summary, panel status line): " + OpenBLAS (1 thread)". */
export function blasLabel(b: BlasReport | null | undefined): string {
  return b ? ` + ${b.library.replace(/ [\d.]+$/, '')} (${b.threads} thread${b.threads === 1 ? '' : 's'})` : '';
}

/** A `landscape(...)` export found in the user's file. */
export interface DefinitionInfo {
  name: string;
  /** 1-based line of the `landscape(` call in the user's file, when known. */
  line?: number;
}

export interface RunRequest {
  runId: string;
  /** Absolute path of the user's `.landscape.ts` file. */
  file: string;
  /** Export name; default: the only / first definition. */
  definition?: string;
  options: ProbeOptions;
  /**
   * Beyond one machine (loss-landscape plan / probe --plan): `plan` trains, fixes the grid and
   * writes it into `out` instead of evaluating it; `shard` evaluates shard `shard` of `of` of the
   * plan in `plan` (no training), appending its cells to a file in `out`. Absent: a normal probe.
   */
  mode?: { kind: 'plan'; out: string; shards: number } | { kind: 'shard'; plan: string; shard: number; of: number; out: string };
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
  schema: typeof RESULT_SCHEMA;
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

export interface UserError {
  /** `backend`: the backend asked for cannot start on this machine (a usage error: no file, no line). */
  kind: 'syntax' | 'load' | 'definition' | 'options' | 'data' | 'train' | 'probe' | 'nan' | 'resources' | 'output' | 'backend' | 'cancelled' | 'crash' | 'internal';
  message: string;
  file?: string;
  /** 1-based */
  line?: number;
  /** 1-based */
  column?: number;
  stack?: string;
}

/** Runner → host (and host → webview, re-sent unchanged). */
export type RunnerMessage =
  | { type: 'loaded'; runId: string; definitions: DefinitionInfo[]; definition: string; backend: BackendName; blas?: BlasReport | null; /** WebGPU: the adapter. */ adapter?: string }
  | { type: 'progress'; runId: string; phase: 'load' | 'train' | 'probe'; done: number; total: number; message?: string }
  /** `epoch` counts from 0; `steps` is cumulative (steps done so far); `loss` is the epoch's mean batch loss. */
  | { type: 'trainEpoch'; runId: string; epoch: number; loss: number; steps: number }
  | { type: 'trained'; runId: string; train: TrainSummary; examples: ExampleCounts }
  | { type: 'curvePoints'; runId: string; index: number[]; alpha: number[]; trainLoss: number[]; testLoss: number[];
      trainAccuracy: (number | null)[]; testAccuracy: (number | null)[]; total: number }
  /** A worker runner's point of a split line, to the runner that forked it (never to a host). */
  | { type: 'linePoint'; runId: string; index: number; point: LinePoint }
  | { type: 'planeSetup'; runId: string; directions: PlaneResult['directions']; a: number[]; b: number[];
      trajectory: PlaneResult['trajectory']; randomWalk: PlaneResult['randomWalk']; init: [number, number]; final: [number, number] }
  /** Cells of the grid: `i` is the row (index into b), `j` the column (index into a), as in `loss[i][j]`. */
  | { type: 'planePoints'; runId: string; i: number[]; j: number[]; loss: number[]; done: number; total: number }
  | { type: 'surveyRun'; runId: string; index: number; total: number; run: SurveyRun }
  | { type: 'result'; runId: string; result: ProbeResult }
  /** A plan or shard run (RunRequest.mode) ended well: what to tell the user, the files written. */
  | { type: 'finished'; runId: string; lines: string[]; files: string[] }
  | { type: 'error'; runId: string; error: UserError }
  | { type: 'log'; runId: string; level: 'info' | 'warn'; message: string };

/** Everything interpolate computes at one α (a line's point from a shard or a worker runner). */
export interface LinePoint {
  trainLoss: number; testLoss: number; trainAccuracy: number | null; testAccuracy: number | null; trainLossSE: number;
  /** bn 'both': the losses with BatchNorm statistics recomputed (NaN otherwise). */
  bnTrainLoss: number; bnTestLoss: number;
}

/** A line's share of work for a worker runner: θ(α) = (1−α)·θ_a + α·θ_b, state likewise. */
export interface LineJobWire {
  thetaA: Float32Array; thetaB: Float32Array; stateA: Float32Array; stateB: Float32Array; alpha: number[];
}

/** A plane's share of work for a worker runner. */
export interface PlaneJobWire {
  kind: DirectionsKind;
  center: Float32Array; u: Float32Array; v: Float32Array; state: Float32Array;
  a: number[]; b: number[]; examples: number;
}

/** Host → runner. */
export type HostToRunner =
  | { type: 'run'; request: RunRequest }
  /**
   * Runner → its own worker runner (forked with structured-clone IPC, so the Float32Arrays
   * travel as they are, no temp files): evaluate these rows of the plane θ_c + a·u + b·v.
   */
  | { type: 'planeRows'; request: RunRequest; job: PlaneJobWire; rows: number[] }
  /** The same for a line: evaluate these points (indices into job.alpha); answered by 'linePoint'. */
  | { type: 'lineIndices'; request: RunRequest; job: LineJobWire; indices: number[] }
  | { type: 'cancel'; runId: string };

/** Host → webview: everything the runner says, plus run bookkeeping. */
export type HostToWebview =
  | RunnerMessage
  | { type: 'runStarted'; runId: string; file: string; definition?: string; options: ProbeOptions; cached: boolean; startedAt: number }
  /** `elapsed` in milliseconds. */
  | { type: 'runEnded'; runId: string; status: 'done' | 'error' | 'cancelled'; elapsed: number }
  | { type: 'untrusted'; message: string };

/** What the panel exports: npy (NumPy) and vtp (ParaView) for a plane only. */
export type ExportFormat = 'png' | 'csv' | 'json' | 'npy' | 'vtp';

/** Webview → host. */
export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'cancel'; runId: string }
  | { type: 'rerun'; options?: Partial<ProbeOptions> }
  /** png and npy: base64 (png as a data: URL); csv, json and vtp: text. */
  | { type: 'export'; format: ExportFormat; name: string; data: string }
  | { type: 'openFile'; file: string; line?: number; column?: number }
  /** The untrusted box's button: open the workspace trust editor. */
  | { type: 'manageTrust' };

export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}

/** curvature: the Hessian at θ_T (Lanczos, Hutchinson), slices along its eigenvectors, λ along the path. */
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
}
