/** curvature: the Hessian (or GGN) at θ_T — eigenvalues, spectral density, trace, per-layer blocks —, slices, λ along the path. */
import { curvatureAnalysis as hessianAt } from '../curvature';
import { phase, type ProbesTraining } from './context';

/** How the Hessian-vector products were computed, in the run's note. */
const HOW: Record<string, string> = {
  'r-op': 'exact Hessian-vector products: R-operator on the BLAS',
  'double-backprop': 'exact Hessian-vector products: double backprop',
  'finite-difference': 'Hessian-vector products by central differences of gradients',
};

export const curvatureAnalysis: ProbesTraining<'curvature'> = {
  kind: 'curvature',
  trains: 'once',
  async probe({ model, spec, rec, options, data, ev, notes, seed }) {
    const curvature = await phase('probe', () => hessianAt({
      model, spec, layout: rec.layout, record: rec, train: data.train, k: options.k ?? 5, seed,
      operator: options.operator, traceMethod: options.traceMethod, traceError: options.traceError,
      onProgress: (done, total, message) => ev.progress?.('probe', done, total, message),
    }));
    notes.push(curvature.operator === 'ggn'
      ? `generalized Gauss–Newton matrix on the first ${curvature.examples} training examples (${curvature.method === 'finite-difference' ? 'J v by central differences of the outputs, H_L and Jᵀ exact' : 'exact products by autodiff: J v by the double-backward trick'}; split at the ${curvature.ggnSplit})`
      : `Hessian on the first ${curvature.examples} training examples (${HOW[curvature.method]})`);
    return { curvature };
  },
};
