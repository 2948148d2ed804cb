/**
 * The eigenvalue spectral density of a symmetric operator by stochastic Lanczos quadrature
 * (Ubaru, Chen & Saad 2017; PyHessian's `density()`).
 *
 * For a unit start vector q₁, m Lanczos steps give T = QᵀAQ; with T = S Θ Sᵀ, the Ritz values θᵢ
 * and weights wᵢ = S₁ᵢ² are the Gauss quadrature of the measure μ_q = Σ_j (q₁·u_j)² δ(λ_j): it
 * integrates every polynomial of degree ≤ 2m − 1 exactly, so Σ wᵢθᵢ = q₁ᵀAq₁ and Σ wᵢθᵢ² = ‖Aq₁‖²
 * (m ≥ 2). A uniformly random q₁ (a normalized Gaussian) makes μ_q an unbiased estimate of the
 * spectral density μ = (1/n) Σ_j δ(λ_j); R runs are averaged. The density drawn is μ convolved with
 * a Gaussian of standard deviation σ, on a grid.
 *
 * Outliers and the bulk edge (our rule, stated so it can be checked), in two steps:
 * 1. the support of the bulk: a grid cell belongs to it where the broadened density is at least
 *    τ = min(c · φ_σ(0) / n, 0.01 · max density), c = 10: the height of c eigenvalues' mass in one
 *    place (an isolated eigenvalue of mass 1/n peaks at φ_σ(0)/n, so it stays below), or 1 % of the
 *    peak when the spectrum has no compact bulk; its upper end e is an upper bound of the bulk edge;
 * 2. the gap: converged isolated eigenvalues are Ritz values of every run, the bulk's Ritz values
 *    crowd together. Of each run's Ritz values θ₁ ≥ θ₂ ≥ … with θ_j > e, the outliers are the top j*
 *    where the relative gap (θ_j − θ_{j+1}) / (θ_{j+1} − ν) is largest (ν: the median of the run's
 *    measure, the bulk's centre); the bulk edge is θ_{j*+1}. The median over runs of both is reported.
 *    No Ritz value above e: no outlier, the bulk edge is e.
 */
import type { CurvatureDensity } from '../../protocol';
import type { LanczosRun, SymOp } from '../lanczos';
import { lanczos } from '../lanczos';

/** One run's quadrature: nodes (Ritz values, descending) and weights (summing to 1). */
export interface Quadrature {
  nodes: number[];
  weights: number[];
  steps: number;
}

/** The quadrature of a Lanczos run from a unit start vector (weights: first components of T's eigenvectors, squared). */
export function quadrature(run: LanczosRun): Quadrature {
  const weights = run.ritzCoords.map((s) => s[0] * s[0]);
  const total = weights.reduce((a, b) => a + b, 0);
  return { nodes: [...run.ritzValues], weights: weights.map((w) => w / total), steps: run.alpha.length };
}

export interface SlqOptions {
  /** Random start vectors n_v (default 1, as PyHessian). */
  runs?: number;
  /** Lanczos steps per run m (default 100, capped at n). */
  steps?: number;
  seed?: number;
  /** A run already done from a random start (e.g. the top-eigenvalue run): it counts as the first. */
  first?: LanczosRun;
  onStep?: (done: number, total: number) => void | Promise<void>;
}

/** The quadratures of `runs` Lanczos runs of `steps` steps from seeded random unit vectors. */
export async function slqRuns(op: SymOp, n: number, opts: SlqOptions = {}): Promise<Quadrature[]> {
  const runs = Math.max(1, opts.runs ?? 1);
  const steps = Math.max(2, Math.min(n, opts.steps ?? 100));
  const out: Quadrature[] = [];
  if (opts.first) out.push(quadrature(opts.first));
  const todo = runs - out.length;
  for (let r = 0; r < todo; r++) {
    const run = await lanczos(op, n, { steps, seed: (opts.seed ?? 1) * 7919 + 1000 * (r + 1),
      onStep: (d) => opts.onStep?.(r * steps + d, todo * steps) });
    out.push(quadrature(run));
  }
  return out;
}

/** The density, its outliers and bulk edge, the moments and each run's nodes and weights (the result's `curvature.density`). */
export type SpectralDensity = CurvatureDensity;

export interface DensityOptions {
  /** Grid points (default 1001). */
  points?: number;
  /** σ as a fraction of the Ritz values' span (default 0.002: two grid steps). */
  sigmaRel?: number;
  /** Eigenvalue mass of the bulk threshold, in eigenvalues (default 10, see the file comment). */
  bulkMass?: number;
}

const gauss = (d: number, s: number) => Math.exp(-0.5 * (d / s) ** 2) / (s * Math.sqrt(2 * Math.PI));

/** Step 2 of the file comment for one run: the outliers above the largest relative gap, and the bulk edge below it. */
export function gapSplit(q: Quadrature, support: number): { outliers: number; edge: number } {
  let acc = 0, centre = q.nodes[q.nodes.length - 1];
  for (let i = q.nodes.length - 1; i >= 0; i--) { acc += q.weights[i]; if (acc >= 0.5) { centre = q.nodes[i]; break; } }
  let best = -Infinity, outliers = 0, edge = support;
  for (let j = 0; j + 1 < q.nodes.length && q.nodes[j] > support; j++) {
    const below = q.nodes[j + 1] - centre;
    const g = below > 0 ? (q.nodes[j] - q.nodes[j + 1]) / below : Infinity;
    if (g > best) { best = g; outliers = j + 1; edge = q.nodes[j + 1]; }
  }
  return { outliers, edge };
}

/** The broadened density of quadratures of an operator on n dimensions, its outliers and bulk edge. */
export function spectralDensity(qs: Quadrature[], n: number, opts: DensityOptions = {}): SpectralDensity {
  if (!qs.length) throw new Error('the spectral density needs at least one Lanczos run');
  const points = Math.max(11, opts.points ?? 1001);
  let lo = Infinity, hi = -Infinity;
  for (const q of qs) for (const v of q.nodes) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const span = hi - lo > 0 ? hi - lo : Math.max(Math.abs(hi), 1e-12) * 1e-3;
  const sigma = (opts.sigmaRel ?? 0.002) * span;
  const a = lo - 5 * sigma, b = hi + 5 * sigma, dx = (b - a) / (points - 1);
  const x = Array.from({ length: points }, (_, i) => a + i * dx);
  const density = new Array<number>(points).fill(0);
  const reach = Math.ceil((8 * sigma) / dx);
  for (const q of qs) {
    q.nodes.forEach((t, i) => {
      const w = q.weights[i] / qs.length;
      if (!(w > 0)) return;
      const c = Math.round((t - a) / dx);
      for (let j = Math.max(0, c - reach); j <= Math.min(points - 1, c + reach); j++) density[j] += w * gauss(x[j] - t, sigma);
    });
  }
  const peak = Math.max(...density);
  const tau = Math.min(((opts.bulkMass ?? 10) * gauss(0, sigma)) / n, 0.01 * peak);
  let top = points - 1;
  while (top > 0 && density[top] < tau) top--;
  const support = x[top];
  const perRun = qs.map((q) => gapSplit(q, support));
  const median = (v: number[]) => { const s = [...v].sort((p, r) => p - r); return s[Math.floor((s.length - 1) / 2)]; };
  const outliers = median(perRun.map((r) => r.outliers));
  const bulkEdge = median(perRun.map((r) => r.edge));
  const m1 = qs.reduce((s, q) => s + q.nodes.reduce((t, v, i) => t + q.weights[i] * v, 0), 0) / qs.length;
  const m2 = qs.reduce((s, q) => s + q.nodes.reduce((t, v, i) => t + q.weights[i] * v * v, 0), 0) / qs.length;
  return {
    x, density, outliers, bulkEdge, runs: qs.length, steps: Math.min(...qs.map((q) => q.steps)), sigma, moments: [m1, m2],
    nodes: qs.map((q) => q.nodes), weights: qs.map((q) => q.weights),
  };
}
