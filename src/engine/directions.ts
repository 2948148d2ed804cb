/**
 * Planes through weight space: θ(a, b) = θ_c + a·u + b·v.
 * - goodfellow: θ_c = θ₀, u = θ_T − θ₀ (so θ₀ sits at (0,0) and θ_T at (1,0)), v = the
 *   direction of the trajectory's largest component orthogonal to u, scaled to ‖u‖.
 * - random: θ_c = θ_T, u and v Gaussian with filter normalization (Li et al. 2018): every
 *   filter (slice along the last axis of a kernel) rescaled to the norm of the same filter of
 *   θ_T; biases and other 1-D weights zeroed unless asked.
 * - pca: θ_c = θ_T, u and v the top two principal directions of θ_t − θ_T over the path.
 */
import type { DirectionsKind } from '../protocol';
import type { ParamLayout } from './params';
import { axpy, distanceSq, dot, norm, scale, sub } from './params';
import { principalDirections } from './linalg';
import { fillGaussian, Rng } from '../shared/random';

export interface PlaneBasis {
  kind: DirectionsKind;
  center: Float32Array;
  u: Float32Array;
  v: Float32Array;
  /** Share of the path's squared displacement (from θ_c) inside span(u, v). */
  explained?: number;
}

/** Least-squares coordinates (a, b) of θ − center in span(u, v). */
export function makeProjector(basis: { center: Float32Array; u: Float32Array; v: Float32Array }) {
  const uu = dot(basis.u, basis.u), vv = dot(basis.v, basis.v), uv = dot(basis.u, basis.v);
  const det = uu * vv - uv * uv;
  const solve = (du: number, dv: number): [number, number] => [(vv * du - uv * dv) / det, (uu * dv - uv * du) / det];
  return {
    /** The Gram matrix of (u, v): [uu, uv, vv]. */
    gram: [uu, uv, vv] as const,
    /** Coordinates of a point θ (one pass; the same sums as projecting sub(θ, center)). */
    point: (theta: Float32Array): [number, number] => {
      const { center: c, u, v } = basis;
      let du = 0, dv = 0;
      for (let i = 0; i < theta.length; i++) { const d = Math.fround(theta[i] - c[i]); du += d * u[i]; dv += d * v[i]; }
      return solve(du, dv);
    },
    /** Coordinates of a displacement vector. */
    vector: (d: Float32Array): [number, number] => solve(dot(d, basis.u), dot(d, basis.v)),
    /** Coordinates from the products d·u, d·v. */
    solve,
  };
}

/** Filter-normalized Gaussian direction shaped like θ. */
export function filterNormalizedDirection(layout: ParamLayout, theta: Float32Array, rng: Rng, includeBiases = false): Float32Array {
  const d = fillGaussian(new Float32Array(layout.total), rng);
  for (const e of layout.entries) {
    const seg = d.subarray(e.offset, e.offset + e.size);
    const ref = theta.subarray(e.offset, e.offset + e.size);
    if (e.kind === 'bias') {
      if (!includeBiases) { seg.fill(0); continue; }
      const s = norm(ref) / (norm(seg) || 1);
      for (let i = 0; i < seg.length; i++) seg[i] *= s;
      continue;
    }
    const filters = e.shape[e.shape.length - 1];
    const per = e.size / filters;
    for (let f = 0; f < filters; f++) {
      let nd = 0, nt = 0;
      for (let k = 0; k < per; k++) { const i = k * filters + f; nd += seg[i] * seg[i]; nt += ref[i] * ref[i]; }
      const s = nd > 0 ? Math.sqrt(nt / nd) : 0;
      for (let k = 0; k < per; k++) seg[k * filters + f] *= s;
    }
  }
  return d;
}

export async function goodfellowBasis(theta0: Float32Array, thetaT: Float32Array, snapshots: Float32Array[], rng: Rng): Promise<PlaneBasis> {
  const u = sub(thetaT, theta0);
  const uu = dot(u, u);
  if (uu === 0) throw new Error('training did not move the parameters (θ_T = θ₀): no plane to draw');
  const residuals = snapshots.map((s) => {
    const d = sub(s, theta0);
    return axpy(d, -dot(d, u) / uu, u);
  });
  const { dirs } = await principalDirections(residuals, 1);
  let v = dirs[0];
  const resid = residuals.reduce((acc, r) => acc + dot(r, r), 0);
  if (!v || !(resid > 1e-12 * uu * snapshots.length)) {
    // A straight path: any orthogonal direction is as good; take a random one.
    v = fillGaussian(new Float32Array(u.length), rng);
    axpy(v, -dot(v, u) / uu, u);
  }
  v = scale(v, Math.sqrt(uu) / (norm(v) || 1));
  const total = snapshots.reduce((acc, s) => acc + distanceSq(s, theta0), 0);
  return { kind: 'goodfellow', center: theta0, u, v, explained: total > 0 ? 1 - resid / total + principalShare(residuals, v) / total : 1 };
}

function principalShare(rows: Float32Array[], v: Float32Array): number {
  const vv = dot(v, v);
  return rows.reduce((acc, r) => { const c = dot(r, v); return acc + (c * c) / vv; }, 0);
}

export function randomBasis(layout: ParamLayout, thetaT: Float32Array, rng: Rng, includeBiases = false): PlaneBasis {
  return { kind: 'random', center: thetaT,
    u: filterNormalizedDirection(layout, thetaT, rng, includeBiases),
    v: filterNormalizedDirection(layout, thetaT, rng, includeBiases) };
}

export async function pcaBasis(thetaT: Float32Array, snapshots: Float32Array[], rng: Rng): Promise<PlaneBasis> {
  const rows = snapshots.map((s) => sub(s, thetaT)).filter((r) => dot(r, r) > 0);
  if (rows.length === 0) throw new Error('the trajectory has no displacement: no PCA plane');
  const { dirs, explained } = await principalDirections(rows, 2);
  let v = dirs[1];
  if (!v) { v = fillGaussian(new Float32Array(thetaT.length), rng); axpy(v, -dot(v, dirs[0]), dirs[0]); v = scale(v, 1 / norm(v)); }
  return { kind: 'pca', center: thetaT, u: dirs[0], v, explained: (explained[0] ?? 0) + (explained[1] ?? 0) };
}
