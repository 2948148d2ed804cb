/**
 * plane: J(θ_c + a·u + b·v) on a grid, with goodfellow, random filter-normalized or pca
 * directions; the training path projected onto the plane and a random-walk control. Rows may be
 * handed to a second process (ev.splitPlane); cells are the same wherever computed.
 */
import type { PlaneBasis } from '../directions';
import { goodfellowBasis, pcaBasis, randomBasis } from '../directions';
import { eigenPlane, explainedBy, type EigenPlane } from '../curvature/eigen-plane';
import { linspace } from '../grid';
import { planeProbe, planeRanges, projectPath, randomWalk } from '../plane';
import { mulberry32 } from '../../shared/random';
import { hasBatchNorm } from '../batchnorm';
import { bnSet, phase, type ProbesTraining } from './context';

export const planeAnalysis: ProbesTraining<'plane'> = {
  kind: 'plane',
  trains: 'once',
  async probe({ model, spec, rec, options, evalTrain, data, ev, notes, seed }) {
    const rng = mulberry32(seed * 31 + 5);
    let eig: EigenPlane | undefined;
    if (options.directions === 'hessian') {
      eig = await phase('probe', () => eigenPlane(model, spec, data.train, rec.thetaT, rec.stateT, { seed,
        onStep: (d) => ev.progress?.('probe', d, Math.max(20, d), 'Hessian eigenvectors at θ_T (Lanczos)') }));
      notes.push(`plane along the top two Hessian eigenvectors at θ_T: λ₁ = ${eig.eigenvalues[0].toPrecision(4)}, λ₂ = ${eig.eigenvalues[1].toPrecision(4)} ` +
        `(residuals ${eig.residuals.map((r) => r.toPrecision(2)).join(', ')}${eig.converged ? '' : ', not converged: estimates'}; first ${eig.examples} training examples)`);
    }
    const basis: PlaneBasis = eig ? { ...eig.basis, explained: explainedBy(eig.basis, rec.snapshots) } : options.directions === 'random' ? randomBasis(rec.layout, rec.thetaT, rng)
      : options.directions === 'pca' ? await pcaBasis(rec.thetaT, rec.snapshots, rng)
      : await goodfellowBasis(rec.theta0, rec.thetaT, rec.snapshots, rng);
    const traj = { ...projectPath(basis, rec.snapshots), step: rec.snapshotSteps };
    const walk = randomWalk(basis, rec.theta0, rec.snapshots, rng);
    const ranges = eig ? { a: [-eig.range[0], eig.range[0]] as [number, number], b: [-eig.range[1], eig.range[1]] as [number, number] }
      : planeRanges(basis.kind, traj, options.alphaRange);
    const a = linspace(ranges.a[0], ranges.a[1], options.grid), b = linspace(ranges.b[0], ranges.b[1], options.grid);
    const last = traj.a.length - 1;
    ev.planeSetup?.({ directions: basis.kind, a, b, trajectory: traj, randomWalk: walk, init: [traj.a[0], traj.b[0]], final: [traj.a[last], traj.b[last]] });
    await ev.planeBasis?.(basis, a, b);
    const job = { basis, state: rec.stateT, a, b, examples: options.examples };
    const deferred = await ev.deferGrid?.({ kind: 'plane', plane: job, sets: { train: evalTrain } });
    const split = deferred ? undefined : await ev.splitPlane?.(job);
    const recompute = options.bn !== 'interpolate' && hasBatchNorm(model);
    const r = await phase('probe', () => planeProbe({
      model, spec, layout: rec.layout, basis, state: rec.stateT, trajectory: traj, randomWalk: walk, a, b, train: evalTrain,
      fastFirstLayer: options.fastFirstLayer, rows: deferred ? [] : split?.rows,
      bnSet: recompute ? bnSet(data.train.x) : undefined,
      onCells: async (i, j, l, done, total) => { ev.progress?.('probe', done, total); await ev.planeCells?.(i, j, l, done, total); },
    }));
    if (split) {
      for (const [i, j, l] of await phase('probe', () => split.others)) r.loss[i][j] = l;
      notes.push('plane rows split over 2 processes');
    }
    const { fast, fastReason, ...plane } = r;
    notes.push(fast ? 'first-layer linearity trick used' : `straightforward evaluation (${fastReason})`);
    if (rec.stateT.length) notes.push(recompute ? 'BatchNorm statistics recomputed at every cell on the first 1000 training examples' : 'non-trainable state (e.g. BatchNorm statistics) held at θ_T on the plane');
    return { plane };
  },
};
