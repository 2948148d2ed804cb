/**
 * The loss on a grid of a plane θ(a, b) = θ_c + a·u + b·v, with the training path projected
 * onto it and the random-walk control of Goodfellow et al.: a walk from θ₀ whose steps have
 * the same norms as the path's steps but random directions. In high dimension such a walk
 * hardly projects onto any fixed plane, which is what makes a structured projection of the
 * real path meaningful.
 */
import * as tf from '@tensorflow/tfjs';
import type { PlaneResult } from '../protocol';
import type { LossSpec } from './losses';
import type { ParamLayout } from './params';
import { AffineParams, distanceSq, norm, stateLayout, stateVars, trainableVars } from './params';
import { AffineEvaluator, EvalSet } from './evaluate';
import { makeProjector, PlaneBasis } from './directions';
import { coarseToFineGrid } from './order';
import { chunked, pointsPerRead } from './chunks';
import { linspace } from './grid';
import { chiSquare, gaussian, Rng } from '../shared/random';

export function projectPath(basis: PlaneBasis, snapshots: Float32Array[]) {
  const proj = makeProjector(basis);
  const pts = snapshots.map((s) => proj.point(s));
  return { a: pts.map((p) => p[0]), b: pts.map((p) => p[1]) };
}

/**
 * Random walk from `start` with the path's step norms, projected on the plane. A step is
 * ‖Δθ_t‖·g/‖g‖ with g ~ N(0, I_n); only its projection is drawn, exactly in distribution and
 * without n-dimensional vectors: (g·u, g·v) = L·(z₁, z₂) with L Lᵀ the Gram matrix of (u, v)
 * and z Gaussian, and ‖g‖² = ‖P g‖² + χ²_{n−2} (the part outside the plane, independent), where
 * ‖P g‖² = z₁² + z₂². (Drawing the n-dimensional g took 54 M Gaussian samples for a
 * 269,322-parameter MLP with 197 snapshots, ≈ 2 s; the step norms are one pass per snapshot.)
 */
export function randomWalk(basis: PlaneBasis, start: Float32Array, snapshots: Float32Array[], rng: Rng) {
  const proj = makeProjector(basis);
  const [uu, uv, vv] = proj.gram;
  // Cholesky factor of [[uu, uv], [uv, vv]]
  const l11 = Math.sqrt(uu), l21 = uv / l11, l22 = Math.sqrt(Math.max(0, vv - l21 * l21));
  const n = start.length;
  let [a, b] = proj.point(start);
  const as = [a], bs = [b];
  for (let t = 1; t < snapshots.length; t++) {
    const step = Math.sqrt(distanceSq(snapshots[t], snapshots[t - 1]));
    const z1 = gaussian(rng), z2 = gaussian(rng);
    const gn = Math.sqrt(z1 * z1 + z2 * z2 + chiSquare(n - 2, rng));
    const [da, db] = proj.solve(l11 * z1, l21 * z1 + l22 * z2);
    if (gn > 0) { a += (step / gn) * da; b += (step / gn) * db; }
    as.push(a); bs.push(b);
  }
  return { a: as, b: bs };
}

/** Grid ranges: goodfellow spans α and enough of v to hold the path; others hold the path. */
export function planeRanges(kind: PlaneBasis['kind'], traj: { a: number[]; b: number[] }, alphaRange: [number, number]) {
  const ext = (xs: number[]) => [Math.min(...xs), Math.max(...xs)];
  if (kind === 'goodfellow') {
    const m = Math.max(...traj.b.map(Math.abs));
    const half = Math.max(0.5, 1.3 * m);
    return { a: alphaRange, b: [-half, half] as [number, number] };
  }
  if (kind === 'random') return { a: [-1, 1] as [number, number], b: [-1, 1] as [number, number] };
  const pad = ([lo, hi]: number[]) => { const s = Math.max(hi - lo, 1e-6); return [lo - 0.25 * s, hi + 0.25 * s] as [number, number]; };
  return { a: pad(ext(traj.a)), b: pad(ext(traj.b)) };
}

export interface PlaneInput {
  model: tf.LayersModel;
  spec: LossSpec;
  layout: ParamLayout;
  basis: PlaneBasis;
  /** Non-trainable state used on the whole plane (θ_T's moving statistics). */
  state: Float32Array;
  trajectory: { a: number[]; b: number[]; step: number[] };
  randomWalk: { a: number[]; b: number[] };
  a: number[];
  b: number[];
  train: EvalSet;
  fastFirstLayer?: boolean;
  /** Recompute BatchNorm statistics on these inputs at every cell (update_bn). */
  bnSet?: tf.Tensor;
  /** Only these rows (for splitting a grid over processes); default all. */
  rows?: number[];
  /** Only these cells [row i, column j], in this order (a shard of a plan); overrides `rows`. */
  cells?: Array<[number, number]>;
  onCells?: (i: number[], j: number[], loss: number[], done: number, total: number) => void | Promise<void>;
  /** Cells per streamed chunk (default: a row's worth). */
  chunk?: number;
}

export async function planeProbe(input: PlaneInput): Promise<PlaneResult & { fast: boolean; fastReason: string }> {
  const { model, basis, a, b } = input;
  const params = new AffineParams(trainableVars(model), input.layout, basis.center, [basis.u, basis.v]);
  const sLayout = stateLayout(model);
  if (sLayout.total > 0) { const s = new AffineParams(stateVars(model), sLayout, input.state, []); s.set([]); s.dispose(); }
  const ev = new AffineEvaluator(model, input.spec, params, input.layout, basis.center, [basis.u, basis.v], { train: input.train }, { fastFirstLayer: input.fastFirstLayer, recomputeStatsOn: input.bnSet, accuracy: false, batchSize: 2500 });
  const loss = b.map(() => a.map(() => NaN));
  const rowSet = input.rows ? new Set(input.rows) : undefined;
  const cells = input.cells ?? coarseToFineGrid(b.length, a.length).filter(([i]) => !rowSet || rowSet.has(i));
  const chunk = input.chunk ?? Math.max(1, a.length);
  let bi: number[] = [], bj: number[] = [], bl: number[] = [];
  let done = 0;
  try {
    // a chunk of cells (a row's worth by default) queued and read back with one read
    for (const part of chunked(cells, Math.max(chunk, pointsPerRead()))) {
      const ms = await ev.many(part.map(([i, j]) => [a[j], b[i]]), 'train');
      for (let k = 0; k < part.length; k++) {
        const [i, j] = part[k];
        loss[i][j] = ms[k].loss;
        bi.push(i); bj.push(j); bl.push(ms[k].loss); done++;
        if (bi.length >= chunk || done === cells.length) {
          await input.onCells?.(bi, bj, bl, done, cells.length);
          bi = []; bj = []; bl = [];
        }
      }
    }
  } finally {
    ev.dispose(); params.dispose();
  }
  const init = input.trajectory.a.length ? [input.trajectory.a[0], input.trajectory.b[0]] as [number, number] : [0, 0] as [number, number];
  const last = input.trajectory.a.length - 1;
  return {
    directions: basis.kind, a, b, loss,
    trajectory: input.trajectory, randomWalk: input.randomWalk,
    init, final: [input.trajectory.a[last], input.trajectory.b[last]],
    explained: basis.explained ?? null, norms: [norm(basis.u), norm(basis.v)],
    fast: ev.fast, fastReason: ev.fastReason,
  };
}

export { linspace };
