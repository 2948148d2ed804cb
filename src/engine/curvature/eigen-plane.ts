/**
 * `--directions hessian`: the plane through θ_T spanned by the top two eigenvectors of the
 * curvature operator at θ_T (the Hessian, or the GGN), as loss-landscape-analysis and
 * oxford-loss-landscapes draw it: θ(a, b) = θ_T + a·v₁ + b·v₂ with unit v₁, v₂ (Lanczos, iterated
 * until both pairs are within 5 %). The ranges are where the quadratic model along each
 * eigenvector rises by max(J, 0.1) (../curvature.ts: sliceHalfWidth), so the top direction's
 * parabola fills the plane; a's axis is the sharpest direction.
 */
import * as tf from '@tensorflow/tfjs';
import type { CurvatureOperatorKind } from '../../protocol';
import type { LossSpec } from '../losses';
import type { EvalSet } from '../evaluate';
import type { PlaneBasis } from '../directions';
import { HessianOperator } from '../hvp';
import { topEigen } from '../lanczos';
import { norm, readParams, readState, writeParams, writeState } from '../params';
import { GaussNewtonOperator } from './ggn';
import { sliceHalfWidth } from '../curvature';

export interface EigenPlane {
  basis: PlaneBasis;
  /** λ₁ ≥ λ₂ and their Lanczos residuals. */
  eigenvalues: [number, number];
  residuals: [number, number];
  converged: boolean;
  /** Half-widths of a and b. */
  range: [number, number];
  loss: number;
  examples: number;
}

/** Share of the path's squared displacement from θ_T inside span(u, v) (u, v orthonormal). */
export function explainedBy(basis: PlaneBasis, snapshots: Float32Array[]): number {
  let inside = 0, total = 0;
  for (const s of snapshots) {
    let du = 0, dv = 0, dd = 0;
    for (let i = 0; i < s.length; i++) { const d = s[i] - basis.center[i]; du += d * basis.u[i]; dv += d * basis.v[i]; dd += d * d; }
    inside += du * du + dv * dv; total += dd;
  }
  return total > 0 ? inside / total : 1;
}

/** The top-2 eigenvector plane at θ_T (see the file comment); the model's weights and state are put back. */
export async function eigenPlane(model: tf.LayersModel, spec: LossSpec, set: EvalSet, thetaT: Float32Array, stateT: Float32Array,
  opts: { operator?: CurvatureOperatorKind; seed?: number; maxExamples?: number; batchSize?: number; onStep?: (done: number) => void | Promise<void> } = {}): Promise<EigenPlane> {
  const theta = await readParams(model), state = await readState(model);
  const cap = opts.maxExamples ?? 2000, available = set.x.shape[0];
  const examples = cap > 0 ? Math.min(cap, available) : available;
  const sub: EvalSet = examples < available ? { x: tf.slice(set.x, 0, examples), y: tf.slice(set.y, 0, examples) } : set;
  try {
    writeParams(model, thetaT);
    if (stateT.length) writeState(model, stateT);
    const hess = new HessianOperator(model, spec, sub, { batchSize: opts.batchSize });
    const ggn = opts.operator === 'ggn' ? new GaussNewtonOperator(model, spec, sub, { batchSize: opts.batchSize }) : undefined;
    try {
      const { loss } = await hess.gradient();
      const eig = await topEigen(ggn ? ggn.fn : hess.apply, hess.n, 2, { seed: opts.seed ?? 1, relTol: 0.05, absTol: 1e-6, onStep: opts.onStep });
      if (eig.values.length < 2) throw new Error('the Hessian plane needs at least two parameters');
      const range: [number, number] = [sliceHalfWidth(eig.values[0], loss, norm(thetaT)), sliceHalfWidth(eig.values[1], loss, norm(thetaT))];
      return {
        basis: { kind: 'hessian', center: thetaT, u: eig.vectors[0], v: eig.vectors[1] },
        eigenvalues: [eig.values[0], eig.values[1]], residuals: [eig.residuals[0], eig.residuals[1]], converged: eig.converged, range, loss, examples,
      };
    } finally {
      hess.dispose(); ggn?.dispose();
    }
  } finally {
    writeParams(model, theta);
    if (state.length) writeState(model, state);
    if (sub !== set) tf.dispose([sub.x, sub.y]);
  }
}
