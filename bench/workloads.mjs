/**
 * The benchmark workloads W1–W6, shared by `npm run bench` (scripts/bench.mjs, CPU) and
 * `npm run bench:gpu` (scripts/device/measure-gpu.mjs, on the GPU machine), and how two runs'
 * numbers are compared.
 */
export const FULL = [
  { id: 'W1', kind: 'line', model: 'big', n: 10000, points: 51, alpha: [-1, 1.5], desc: 'interpolation θ₀→θ_T, 51 points, MLP 784-1024-1024-10, 10,000 MNIST' },
  { id: 'W2', kind: 'plane', model: 'big', n: 2000, grid: 25, range: [-1, 1], desc: 'plane 25×25 (random filter-normalized dirs), same MLP, 2,000 MNIST' },
  { id: 'W3', kind: 'train', model: 'big', n: 10000, batch: 128, lr: 0.01, epochs: 1, desc: 'one epoch SGD lr 0.01, batch 128, same MLP, 10,000 MNIST' },
  { id: 'W4a', kind: 'line', model: 'small', n: 10000, points: 51, alpha: [-1, 1.5], desc: 'interpolation, 51 points, MLP 784-100-10, 10,000 MNIST' },
  { id: 'W4b', kind: 'plane', model: 'small', n: 2000, grid: 25, range: [-1, 1], desc: 'plane 25×25, MLP 784-100-10, 2,000 MNIST' },
  { id: 'W5', kind: 'plane', model: 'conv', n: 2000, grid: 21, range: [-1, 1], desc: 'plane 21×21, conv3×3×8-pool-conv3×3×16-pool-dense10, 2,000 MNIST [n,28,28,1]' },
  { id: 'W6', kind: 'curvature', model: 'small', n: 2000, k: 5, desc: 'curvature: top-5 Hessian eigenvalues at θ_T, MLP 784-100-10, 2,000 MNIST (ours: Lanczos; PyTorch: PyHessian power iteration)' },
  { id: 'W6b', kind: 'density', model: 'small', n: 2000, runs: 1, steps: 100, desc: 'spectral density at θ_T by stochastic Lanczos quadrature, 1 run × 100 steps (PyHessian density() defaults), MLP 784-100-10, 2,000 MNIST' },
];
export const QUICK_SIZES = {
  W1: { n: 2000, points: 11 }, W2: { n: 1000, grid: 5 }, W3: { n: 2000 },
  W4a: { n: 2000, points: 11 }, W4b: { n: 1000, grid: 5 }, W5: { n: 1000, grid: 5 }, W6: { n: 500 }, W6b: { n: 500 },
};

/** max_i |a_i − b_i| / |b_i| over the entries finite on either side (NaN when lengths differ). */
export function maxRelDiff(a, b) {
  let m = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (!Number.isFinite(a[i]) && !Number.isFinite(b[i])) continue;
    m = Math.max(m, Math.abs(a[i] - b[i]) / Math.abs(b[i]));
  }
  return a.length === b.length ? m : NaN;
}
