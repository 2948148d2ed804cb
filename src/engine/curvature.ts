/**
 * Curvature of the training loss J(θ) (inference-mode forward pass, see ./hvp) at a point θ, of
 * one operator — the Hessian or the generalized Gauss–Newton matrix (./curvature/ggn) — whose
 * products every algorithm consumes: the top-k and the smallest eigenvalues (Lanczos, ./lanczos),
 * the spectral density (./curvature/slq; its first run is the eigenvalue run), the trace (Hutch++
 * on that run's Krylov basis, or Hutchinson, ./curvature/hutchpp), each layer's block
 * (./curvature/per-layer), a verdict, 1-D slices of the loss along the extreme eigenvectors, and
 * λ_max / λ_min along the training path.
 *
 * Verdict rule (λ_max, λ_min the largest and smallest Ritz values):
 *   flat    if max(|λ_max|, |λ_min|) ≤ flatTol · max(1, |J(θ)|)   (flatTol = 1e-6),
 *   saddle  if λ_min < −tol · |λ_max|                               (tol = 1e-3),
 *   minimum otherwise (no direction of significant negative curvature; a 'minimum' may still
 *           have flat directions, λ ≈ 0, as every over-parameterized network does).
 * A Ritz value is a Rayleigh quotient yᵀHy of a unit vector y, so λ_min < 0 is always witnessed
 * by a real direction of negative curvature; an unconverged λ_min errs towards 0 (towards
 * 'minimum'). The relative tolerance keeps float32 noise of the products (≈ 1e-6 · λ_max) and
 * near-zero curvature from counting as a saddle.
 */
import * as tf from '@tensorflow/tfjs';
import type { CurvatureOperatorKind, CurvatureResult, TraceMethodKind } from '../protocol';
import type { LossSpec } from './losses';
import { AffineEvaluator, EvalSet } from './evaluate';
import { HessianOperator, HvpMethod } from './hvp';
import { topEigen, type SymOp } from './lanczos';
import { slqRuns, spectralDensity, type SpectralDensity } from './curvature/slq';
import { traceEstimate } from './curvature/hutchpp';
import { GaussNewtonOperator } from './curvature/ggn';
import { layerBlocks, perLayerCurvature, type LayerCurvature } from './curvature/per-layer';
import { linspace } from './grid';
import { chunked, pointsPerRead } from './chunks';
import { AffineParams, norm, readParams, readState, ParamLayout, paramLayout, trainableVars, writeParams, writeState } from './params';
import type { TrainRecord } from './train';

export type Verdict = 'minimum' | 'saddle' | 'flat';

export interface CurvatureOptions {
  /** Number of top eigenvalues (default 5). */
  k?: number;
  /** Lanczos steps (default max(2k + 10, 20), capped at the parameter count). */
  lanczosSteps?: number;
  /** Cap of the Lanczos steps when iterating to convergence (default min(n, max(8 × steps, 160))). */
  maxLanczosSteps?: number;
  /** At most this many trace samples (default 100; the trace is exact when the parameter count is ≤ this; 0: no trace). */
  hutchinsonSamples?: number;
  /** The operator (default 'hessian'; 'ggn': the generalized Gauss–Newton matrix, ./curvature/ggn). */
  operator?: CurvatureOperatorKind;
  /** The trace estimator (default 'hutch++', sketched by the top-eigenvalue Lanczos basis) and its target relative error (default 0.01). */
  traceMethod?: TraceMethodKind;
  traceError?: number;
  /** The spectral density (./curvature/slq): n_v runs × m steps (the first run is the top-eigenvalue one); off when absent. */
  density?: { runs?: number; steps?: number };
  /** Each layer's block too (./curvature/per-layer). */
  perLayer?: boolean;
  seed?: number;
  /** Examples per batch of the Hessian-vector products (default 1000). */
  batchSize?: number;
  /** Hessian-vector product method (default 'auto': double backprop, else finite differences). */
  method?: HvpMethod | 'auto';
  /** Saddle tolerance (default 1e-3, see the file comment). */
  tol?: number;
  /** Flatness tolerance (default 1e-6, see the file comment). */
  flatTol?: number;
  /** Called after every Hessian-vector product. */
  onProduct?: (done: number, total: number) => void | Promise<void>;
}

export interface CurvatureAt {
  /** The top-k Hessian eigenvalues (Ritz values), descending. */
  eigenvalues: number[];
  /** Lanczos residual estimates ‖Hy − λy‖ of the top-k pairs. */
  residuals: number[];
  lambdaMin: number;
  lambdaMinResidual: number;
  /** All returned pairs within tolerance (else the values are estimates). */
  converged: boolean;
  lanczosSteps: number;
  trace: number;
  traceSE: number;
  /** The trace is exact (parameter count ≤ samples). */
  traceExact: boolean;
  verdict: Verdict;
  verdictText: string;
  /** Unit eigenvectors of λ_max and λ_min. */
  topVector: Float32Array;
  bottomVector: Float32Array;
  method: HvpMethod;
  fallbackReason?: string;
  /** J(θ) and ‖∇J(θ)‖. */
  loss: number;
  gradNorm: number;
  /** Operator products done. */
  products: number;
  operator: CurvatureOperatorKind;
  ggnSplit?: string;
  traceMethod: TraceMethodKind;
  traceProducts: number;
  traceReached: boolean;
  density?: SpectralDensity;
  layers?: LayerCurvature[];
}

/** The curvature operator asked for, at the model's current weights, with the Hessian's gradient. */
function curvatureOperator(model: tf.LayersModel, spec: LossSpec, set: EvalSet, o: { operator?: CurvatureOperatorKind; batchSize?: number; method?: HvpMethod | 'auto' }) {
  const hess = new HessianOperator(model, spec, set, { batchSize: o.batchSize, method: o.method });
  let ggn: GaussNewtonOperator | undefined;
  try {
    ggn = o.operator === 'ggn' ? new GaussNewtonOperator(model, spec, set, { batchSize: o.batchSize }) : undefined;
  } catch (e) { hess.dispose(); throw e; }
  const apply: SymOp = ggn ? ggn.fn : hess.apply;
  return { hess, ggn, apply, n: hess.n, products: () => (ggn ? ggn.products : hess.products), dispose: () => { hess.dispose(); ggn?.dispose(); } };
}

/** Products a `curvatureHere` run may use at most, for progress: Lanczos, the other SLQ runs, the trace, the layers. */
export function curvatureBudget(n: number, blocks: number, o: { k: number; lanczosSteps?: number; hutchinsonSamples?: number; density?: { runs?: number; steps?: number }; perLayer?: boolean }): number[] {
  const m = o.density ? Math.min(n, o.density.steps ?? 100) : 0;
  const steps = Math.min(n, Math.max(o.lanczosSteps ?? Math.max(2 * o.k + 10, 20), m));
  return [steps, Math.max(0, (o.density?.runs ?? 1) - 1) * m, Math.min(n, o.hutchinsonSamples ?? 100), o.perLayer ? blocks * 130 : 0];
}

/** Formats a number with 3 significant digits and a real minus sign. */
export function fmtNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(3))).replace('-', '−');
}

/** The verdict rule of the file comment. */
export function classify(lambdaMax: number, lambdaMin: number, loss: number, tol = 1e-3, flatTol = 1e-6): { verdict: Verdict; verdictText: string } {
  const big = Math.max(Math.abs(lambdaMax), Math.abs(lambdaMin));
  if (big <= flatTol * Math.max(1, Math.abs(loss))) {
    return { verdict: 'flat', verdictText: `flat (|λ| ≤ ${fmtNumber(big)})` };
  }
  if (lambdaMin < -tol * Math.abs(lambdaMax)) {
    return { verdict: 'saddle', verdictText: `saddle (λ_min = ${fmtNumber(lambdaMin)}, λ_max = ${fmtNumber(lambdaMax)})` };
  }
  return { verdict: 'minimum', verdictText: `minimum (λ_max = ${fmtNumber(lambdaMax)}, λ_min = ${fmtNumber(lambdaMin)})` };
}

/** Runs `fn` with the model's trainable weights (and state) put back afterwards. */
async function preservingWeights<T>(model: tf.LayersModel, fn: () => Promise<T>): Promise<T> {
  const theta = await readParams(model), state = await readState(model);
  try {
    return await fn();
  } finally {
    writeParams(model, theta);
    if (state.length) writeState(model, state);
  }
}

async function curvatureHere(model: tf.LayersModel, spec: LossSpec, set: EvalSet, opts: CurvatureOptions): Promise<CurvatureAt> {
  const k = Math.max(1, opts.k ?? 5);
  const op = curvatureOperator(model, spec, set, opts);
  try {
    const n = op.n;
    const blocks = opts.perLayer ? layerBlocks(paramLayout(model)) : [];
    const budget = curvatureBudget(n, blocks.length, { ...opts, k });
    const total = budget.reduce((a, b) => a + b, 0);
    /** Progress within one part: never past its budget, so the total stays monotone. */
    const part = (i: number) => { const start = budget.slice(0, i).reduce((a, b) => a + b, 0); return (d: number) => opts.onProduct?.(Math.min(start + d, start + budget[i]), total); };
    const seed = opts.seed ?? 1;
    const { loss, grad } = await op.hess.gradient();
    // iterate until λ_max…λ_k and λ_min are within 5 % (or 1e-6·‖A‖) — or say they are estimates;
    // with a density, the first run is at least its m steps (one SLQ sample)
    const eig = await topEigen(op.apply, n, k, { steps: budget[0], seed, relTol: 0.05, absTol: 1e-6, maxSteps: opts.maxLanczosSteps ?? Math.max(160, budget[0]), onStep: part(0) });
    let density: SpectralDensity | undefined;
    if (opts.density) {
      const qs = await slqRuns(op.apply, n, { runs: opts.density.runs, steps: opts.density.steps, seed, first: eig.run, onStep: part(1) });
      density = spectralDensity(qs, n);
    }
    const method = opts.traceMethod ?? 'hutch++';
    // hutchinsonSamples: 0 turns the trace off (the benchmark's W6 times the eigenvalues alone)
    const tr = budget[2] === 0 ? { trace: NaN, se: NaN, exact: false, products: 0, reached: false } : await traceEstimate(op.apply, n, {
      method, relError: opts.traceError ?? 0.01, maxSamples: budget[2], seed, onStep: part(2),
      sketch: { rows: eig.run.rows, count: eig.run.alpha.length, trace: eig.run.alpha.reduce((a, b) => a + b, 0) },
    });
    const layerStep = part(3);
    let layerProducts = 0;
    const layers = blocks.length ? await perLayerCurvature(op.apply, n, blocks, { seed, traceMethod: method, relError: opts.traceError ?? 0.01, onProduct: () => layerStep(++layerProducts) }) : undefined;
    await opts.onProduct?.(total, total);
    const lambdaMax = eig.values[0];
    const { verdict, verdictText } = classify(lambdaMax, eig.min, loss, opts.tol, opts.flatTol);
    return {
      eigenvalues: eig.values, residuals: eig.residuals, lambdaMin: eig.min, lambdaMinResidual: eig.minResidual, converged: eig.converged, lanczosSteps: eig.steps,
      trace: tr.trace, traceSE: tr.se, traceExact: tr.exact, verdict, verdictText,
      topVector: eig.vectors[0], bottomVector: eig.minVector,
      // the GGN's products are autodiff (./curvature/ggn); the Hessian's gradient alone comes from op.hess
      method: op.ggn ? (op.ggn.jvp === 'finite-difference' ? 'finite-difference' : 'double-backprop') : op.hess.method,
      ...((op.ggn ? op.ggn.fallbackReason : op.hess.fallbackReason) ? { fallbackReason: op.ggn ? `J v by differences of the outputs: ${op.ggn.fallbackReason}` : op.hess.fallbackReason } : {}),
      loss, gradNorm: norm(grad), products: op.products(),
      operator: opts.operator ?? 'hessian', ...(op.ggn ? { ggnSplit: op.ggn.split } : {}),
      traceMethod: method, traceProducts: tr.products, traceReached: tr.reached,
      ...(density ? { density } : {}), ...(layers ? { layers } : {}),
    };
  } finally {
    op.dispose();
  }
}

/**
 * Curvature of the training loss on `set` at θ = `theta` (the model's non-trainable state as it
 * is). The model's weights are restored afterwards.
 */
export async function curvatureAt(model: tf.LayersModel, spec: LossSpec, set: EvalSet, theta: Float32Array,
  opts: CurvatureOptions = {}): Promise<CurvatureAt> {
  return preservingWeights(model, async () => {
    writeParams(model, theta);
    return curvatureHere(model, spec, set, opts);
  });
}

/**
 * Loss on `set` along θ + t·d for each direction d (1-D slices; pass unit eigenvectors), one
 * row per direction. The model's weights are restored afterwards.
 */
export async function slices(model: tf.LayersModel, spec: LossSpec, set: EvalSet, theta: Float32Array,
  dirs: Float32Array[], ts: number[], opts: { batchSize?: number; layout?: ParamLayout; onPoint?: (done: number, total: number) => void | Promise<void> } = {}): Promise<number[][]> {
  return preservingWeights(model, async () => {
    const layout = opts.layout ?? paramLayout(model);
    const params = new AffineParams(trainableVars(model), layout, theta, dirs);
    const ev = new AffineEvaluator(model, spec, params, layout, theta, dirs, { s: set }, { batchSize: opts.batchSize });
    try {
      const out: number[][] = [];
      let done = 0;
      for (let d = 0; d < dirs.length; d++) {
        const row: number[] = [];
        for (const part of chunked(ts, pointsPerRead())) { // one read per chunk of points
          const ms = await ev.many(part.map((t) => dirs.map((_, i) => (i === d ? t : 0))), 's');
          for (const m of ms) {
            row.push(m.loss);
            await opts.onPoint?.(++done, dirs.length * ts.length);
          }
        }
        out.push(row);
      }
      return out;
    } finally {
      ev.dispose(); params.dispose();
    }
  });
}

/** Indices of at most `max` evenly spread items of 0..n-1, first and last included. */
export function subsample(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  if (max <= 1) return [n - 1];
  const idx = new Set<number>();
  for (let i = 0; i < max; i++) idx.add(Math.round((i * (n - 1)) / (max - 1)));
  return [...idx].sort((a, b) => a - b);
}

/**
 * λ_max and λ_min (Lanczos, `lanczosSteps` products each, default 20) at up to `maxPoints`
 * (default 8) snapshots of a training path, evenly spread, first and last included.
 * The model's weights are restored afterwards.
 */
export async function alongPath(model: tf.LayersModel, spec: LossSpec, set: EvalSet, snapshots: Float32Array[], steps: number[],
  opts: { k?: number; maxPoints?: number; lanczosSteps?: number; seed?: number; batchSize?: number; method?: HvpMethod | 'auto'; operator?: CurvatureOperatorKind;
    onProduct?: (done: number, total: number) => void | Promise<void> } = {}): Promise<{ step: number[]; lambdaMax: number[]; lambdaMin: number[]; lambdaMinResidual: number[]; topEigenvalues: number[][] }> {
  const pick = subsample(snapshots.length, opts.maxPoints ?? 8);
  const k = opts.k ?? 1;
  return preservingWeights(model, async () => {
    const out = { step: [] as number[], lambdaMax: [] as number[], lambdaMin: [] as number[], lambdaMinResidual: [] as number[], topEigenvalues: [] as number[][] };
    let base = 0;
    for (const i of pick) {
      writeParams(model, snapshots[i]);
      const op = curvatureOperator(model, spec, set, opts);
      try {
        const m = Math.min(op.n, opts.lanczosSteps ?? 20);
        const eig = await topEigen(op.apply, op.n, k, { steps: m, seed: (opts.seed ?? 1) + i,
          onStep: (d) => opts.onProduct?.(base + d, pick.length * m) });
        base += m;
        out.step.push(steps[i]); out.lambdaMax.push(eig.values[0]); out.lambdaMin.push(eig.min); out.lambdaMinResidual.push(eig.minResidual);
        out.topEigenvalues.push(eig.values);
      } finally {
        op.dispose();
      }
    }
    return out;
  });
}


export interface CurvatureInput {
  model: tf.LayersModel;
  spec: LossSpec;
  layout: ParamLayout;
  record: TrainRecord;
  train: EvalSet;
  k?: number;
  seed?: number;
  lanczosSteps?: number;
  hutchinsonSamples?: number;
  /** Points of each slice (default 41) and half-width of t (default: see `sliceHalfWidth`). */
  slicePoints?: number;
  sliceRange?: number;
  /** Snapshots of the path analysed (default 8) and Lanczos steps at each (default 15). */
  pathPoints?: number;
  pathLanczosSteps?: number;
  /** The operator (default 'hessian'), the trace estimator (default 'hutch++') and its target relative error (default 0.01). */
  operator?: CurvatureOperatorKind;
  traceMethod?: TraceMethodKind;
  traceError?: number;
  /** The spectral density's runs × steps (default 1 × 100, PyHessian's; capped at the parameter count). */
  densityRuns?: number;
  densitySteps?: number;
  /** Each layer's block (default true). */
  perLayer?: boolean;
  batchSize?: number;
  method?: HvpMethod | 'auto';
  /**
   * Use the first N training examples only (default 2000; 0 = all). One Hessian-vector product
   * costs about 3.5 gradients; the whole analysis is ~180 products (≈ 25 s for 2000 MNIST
   * examples on a 784-32-10 MLP, ≈ 60 s for 5000, wasm, one core).
   */
  maxExamples?: number;
  onProgress?: (done: number, total: number, message: string) => void | Promise<void>;
}

/**
 * Default half-width of the slices: where the quadratic model along the top eigenvector rises by
 * max(J, 0.1) (so the top slice shows its parabola), capped at max(1, ‖θ‖/2); 1 when λ_max ≤ 0.
 */
export function sliceHalfWidth(lambdaMax: number, loss: number, thetaNorm: number): number {
  if (!(lambdaMax > 0)) return 1;
  return Math.min(Math.sqrt((2 * Math.max(Math.abs(loss), 0.1)) / lambdaMax), Math.max(1, thetaNorm / 2));
}

/**
 * The curvature analysis of a training run, at θ_T (with the final non-trainable state): top-k
 * eigenvalues, λ_min, trace, verdict, slices along the top and bottom eigenvectors, and λ_max /
 * λ_min along the recorded path. The model's weights and state are restored afterwards.
 */
export async function curvatureAnalysis(input: CurvatureInput): Promise<CurvatureResult> {
  const { model, spec, record } = input;
  const started = Date.now();
  const available = input.train.x.shape[0];
  const cap = input.maxExamples ?? 2000;
  const examples = cap > 0 ? Math.min(cap, available) : available;
  const train: EvalSet = examples < available
    ? { x: tf.slice(input.train.x, 0, examples), y: tf.slice(input.train.y, 0, examples) }
    : input.train;
  const k = input.k ?? 5;
  const seed = input.seed ?? 1;
  const n = record.layout.total;
  const steps = Math.min(n, input.lanczosSteps ?? Math.max(2 * k + 10, 20));
  const samples = input.hutchinsonSamples ?? 100;
  const density = { runs: input.densityRuns ?? 1, steps: input.densitySteps ?? 100 };
  const perLayer = input.perLayer ?? true;
  const hereProducts = curvatureBudget(n, perLayer ? layerBlocks(input.layout).length : 0, { k, lanczosSteps: steps, hutchinsonSamples: samples, density, perLayer }).reduce((a, b) => a + b, 0);
  const slicePoints = input.slicePoints ?? 41;
  const pathPick = subsample(record.snapshots.length, input.pathPoints ?? 8).length;
  const pathSteps = Math.min(n, input.pathLanczosSteps ?? 15);
  const total = hereProducts + 2 * slicePoints + pathPick * pathSteps;
  const progress = (done: number, message: string) => input.onProgress?.(done, total, message);
  try {
    return await preservingWeights(model, async () => {
      if (record.stateT.length) writeState(model, record.stateT);
      writeParams(model, record.thetaT);
      const here = await curvatureHere(model, spec, train, {
        k, lanczosSteps: steps, hutchinsonSamples: samples, seed, batchSize: input.batchSize, method: input.method,
        operator: input.operator, traceMethod: input.traceMethod, traceError: input.traceError, density, perLayer,
        onProduct: (d) => progress(d, 'curvature at θ_T (Lanczos, spectral density, trace, layers)'),
      });
      const r = input.sliceRange ?? sliceHalfWidth(here.eigenvalues[0], here.loss, norm(record.thetaT));
      const t = linspace(-r, r, slicePoints);
      const [top, bottom] = await slices(model, spec, train, record.thetaT, [here.topVector, here.bottomVector], t, {
        layout: input.layout, onPoint: (d) => progress(hereProducts + d, 'loss along the eigenvectors'),
      });
      const path = await alongPath(model, spec, train, record.snapshots, record.snapshotSteps, {
        k: 1, maxPoints: input.pathPoints ?? 8, lanczosSteps: pathSteps, seed, batchSize: input.batchSize, method: input.method, operator: input.operator,
        onProduct: (d) => progress(hereProducts + 2 * slicePoints + d, 'curvature along the training path'),
      });
      return {
        eigenvalues: here.eigenvalues, lambdaMin: here.lambdaMin, trace: here.trace, traceSE: here.traceSE,
        verdict: here.verdict, verdictText: here.verdictText, method: here.method,
        slices: { t, top, bottom },
        alongPath: { step: path.step, lambdaMax: path.lambdaMax, lambdaMin: path.lambdaMin, lambdaMinResidual: path.lambdaMinResidual },
        loss: here.loss, gradNorm: here.gradNorm, residuals: here.residuals, traceExact: here.traceExact,
        lambdaMinResidual: here.lambdaMinResidual, converged: here.converged, lanczosSteps: here.lanczosSteps,
        ...(here.fallbackReason ? { fallbackReason: here.fallbackReason } : {}),
        examples, seconds: (Date.now() - started) / 1000,
        operator: here.operator, ...(here.ggnSplit ? { ggnSplit: here.ggnSplit } : {}),
        traceMethod: here.traceMethod, traceProducts: here.traceProducts, traceTarget: input.traceError ?? 0.01, traceReached: here.traceReached,
        ...(here.density ? { density: here.density } : {}),
        ...(here.layers ? { layers: here.layers.map((l) => ({ name: l.name, parameters: l.parameters, lambdaMax: l.lambdaMax, lambdaMin: l.lambdaMin, trace: l.trace, traceSE: l.traceSE, converged: l.converged })) } : {}),
        seed, products: here.products,
      };
    });
  } finally {
    if (train !== input.train) tf.dispose([train.x, train.y]);
  }
}
