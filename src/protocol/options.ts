/**
 * The probe options: what a run is asked to do. Types only (the defaults are in
 * src/shared/defaults.ts); every channel and the result speak them.
 */

export type AnalysisKind = 'interpolate' | 'plane' | 'survey' | 'compare' | 'curvature' | 'connect' | 'instability';
export type DirectionsKind = 'goodfellow' | 'random' | 'pca' | 'hessian';
/** curvature: the curvature operator (the Hessian, or the generalized Gauss–Newton matrix JᵀH_LJ). */
export type CurvatureOperatorKind = 'hessian' | 'ggn';
/** curvature: the trace estimator. */
export type TraceMethodKind = 'hutch++' | 'hutchinson';
/** 'auto' is a request only: a result names the backend that ran ('webgpu' or 'wasm'). */
export type BackendName = 'wasm' | 'cpu' | 'node' | 'webgpu' | 'auto';

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
  /**
   * interpolate with a second solution (seed2, compareTo), connect: permute the second solution's
   * hidden units onto the first's first — 'weights' (weight matching), 'activations' (activation
   * matching on the first 1000 training inputs) or 'none' (default).
   */
  align?: 'weights' | 'activations' | 'none';
  /**
   * instability: where the two copies are spawned, a comma list of epochs ('0,1,2,5,10'), steps
   * with a suffix s ('100s'); default '0,1,2,5,10' (those before the last epoch).
   */
  spawn?: string;
  /** curvature: number of top Hessian eigenvalues (default 5). */
  k?: number;
  /** curvature: the operator whose spectrum, trace and blocks are taken (default 'hessian'). */
  operator?: CurvatureOperatorKind;
  /** curvature: the trace estimator (default 'hutch++'). */
  traceMethod?: TraceMethodKind;
  /** curvature: the trace stops sampling at this relative standard error (default 0.01). */
  traceError?: number;
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
  interpolate: Pick<OptionFields, 'points' | 'alphaRange' | 'bn' | 'seed2' | 'align'>;
  plane: Pick<OptionFields, 'grid' | 'directions' | 'alphaRange' | 'bn'>;
  survey: Pick<OptionFields, 'runs' | 'tolerance' | 'grid' | 'points'>;
  compare: Pick<OptionFields, 'points' | 'grid' | 'alphaRange'>;
  curvature: Pick<OptionFields, 'k' | 'operator' | 'traceMethod' | 'traceError'>;
  connect: Pick<OptionFields, 'points' | 'seed2' | 'align'>;
  instability: Pick<OptionFields, 'points' | 'spawn' | 'bn'>;
}

/** What to probe: a union per analysis. Every field but `analysis` has a default (`defaultProbeOptions`). */
export type ProbeOptions = { [K in AnalysisKind]: { analysis: K } & Common & OptionsByAnalysis[K] }[AnalysisKind];

/** Options handled field by field (parsing, validation, settings): any field, of any analysis. */
export type AnyProbeOptions = { analysis: AnalysisKind } & OptionFields;
